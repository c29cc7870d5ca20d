#!/usr/bin/python3
# test-sync-at-startup.py — with "Sync at Start-Up" on and a session in the
# environment, the app syncs by itself when it starts; in a window of a
# phone's width the sidebar it opens lies over the grid, and a click on the
# grid beside it closes it
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
import mja_atspi  # noqa: E402
from mja_atspi import wait_for  # noqa: E402
from mja_testlib import FakeServer, remove, temp_dir  # noqa: E402

JOBS = 30

mja_atspi.require_display()
tap = mja_atspi.Tap()
server = FakeServer("--jobs", str(JOBS))
archive = temp_dir("mja-startup-archive-")
app = mja_atspi.App(args=[archive], env=dict(server.env),
                    settings={"sync-at-startup": "true", "window-width": "360", "window-height": "720"},
                    gtk_settings={"gtk-decoration-layout": "appmenu:close"})
try:
    def syncs_by_itself():
        wait_for(lambda: app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                                    and o.getRoleName() == "label" and o.name == "Done"),
                 60, "a sync to run to Done without pressing Sync")
        grid = app.find("table", "Jobs")
        wait_for(lambda: grid.childCount == JOBS, 30, f"{JOBS} cells")

    def sidebar_open():
        # GTK 4.8 gives a toggle button the role of a push button, pressed.
        toggle = app.find("push button", "Sync Progress")
        states = toggle.getState()
        return states.contains(app.pyatspi.STATE_PRESSED) or states.contains(app.pyatspi.STATE_CHECKED)

    def click_beside_sidebar():
        assert sidebar_open(), "the sidebar is not open"
        grid = app.find("table", "Jobs").queryComponent().getExtents(app.pyatspi.DESKTOP_COORDS)
        bar = app.find("progress bar", "Sync Progress").queryComponent().getExtents(app.pyatspi.DESKTOP_COORDS)
        assert bar.x - grid.x < 60, f"the sidebar is not over the grid (grid at {grid.x}, its bar at {bar.x})"
        # A double click: one that went on to the grid would open a job.
        app.pyatspi.Registry.generateMouseEvent(grid.x + 8, grid.y + grid.height // 2, "b1d")
        wait_for(lambda: not sidebar_open(), 10, "the sidebar to close")
        frame = app.application().getChildAtIndex(0)
        assert frame.name == "Midjourney Archiver", f"the click went on to the grid: {frame.name!r}"

    tap.check("with Sync at Start-Up on, the app syncs when it starts", syncs_by_itself)
    tap.check("at 360 px the sidebar lies over the grid, a click beside it closes it", click_beside_sidebar)
finally:
    app.close()
    server.stop()
    remove(archive)
tap.done()
