#!/usr/bin/python3
# screenshots.py — render the main window, the image view and Preferences in
# demo mode into data/screenshots/ (run by build-aux/screenshots.sh)
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ui"))
import mja_atspi  # noqa: E402
from mja_atspi import wait_for  # noqa: E402

OUT = sys.argv[1]


def shot(name, width=1100, height=720):
    mja_atspi.pump(1.5)  # let thumbnails and animations settle
    subprocess.run(["import", "-window", "root", "-crop", f"{width}x{height}+0+0", "+repage",
                    os.path.join(OUT, name)], check=True)


def synced_demo(settings=None):
    demo = mja_atspi.App(args=["--demo"], settings=settings)
    demo.find("push button", "Sync").queryAction().doAction(0)
    wait_for(lambda: demo.pyatspi.findDescendant(demo.application(), lambda o: o is not None
                                                 and o.getRoleName() == "label" and o.name == "Done"), 120, "Done")
    jobs = demo.find("table", "Jobs")
    wait_for(lambda: jobs.childCount > 0, 30, "the jobs")
    return demo, jobs


# The adaptive window: a phone's width, and a wide screen's with the filters.
for name, settings, size in (("narrow-360.png", {"window-width": "360", "window-height": "720"}, (360, 720)),
                             ("wide-2560.png", {"window-width": "2560", "window-height": "1080",
                                                "show-filters": "true"}, (2560, 1080))):
    other, _ = synced_demo(settings)
    try:
        shot(name, *size)
    finally:
        other.close()

app, grid = synced_demo()
try:
    wait_for(lambda: grid.childCount == 240, 30, "every job")
    shot("main-window.png")

    app.find("push button", "Close Progress").queryAction().doAction(0)
    cell = grid.getChildAtIndex(4)
    extents = cell.queryComponent().getExtents(app.pyatspi.DESKTOP_COORDS)
    app.pyatspi.Registry.generateMouseEvent(extents.x + extents.width // 2, extents.y + extents.height // 2, "b1d")
    app.find("label", "Full Command", timeout=10)
    shot("image-view.png")

    app.find("push button", "Back").queryAction().doAction(0)
    # Ctrl+, as a person would (menu items do not act through AT-SPI in GTK 4.8).
    # X keycodes of the evdev keymap Xvfb uses: 37 Control_L, 59 comma.
    registry = app.pyatspi.Registry
    registry.generateKeyboardEvent(37, None, app.pyatspi.KEY_PRESS)
    registry.generateKeyboardEvent(59, None, app.pyatspi.KEY_PRESSRELEASE)
    registry.generateKeyboardEvent(37, None, app.pyatspi.KEY_RELEASE)
    app.find("frame", "Preferences", timeout=10)
    shot("preferences.png", 640, 720)
finally:
    app.close()
