#!/usr/bin/python3
# screenshots.py — render the main window (with its filter panel, and at
# 360 and 2,560 px wide), the image view (an image, a grid job, a video, a
# narrow window) and Preferences in demo mode into data/screenshots/ (run
# by build-aux/screenshots.sh)
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ui"))
import mja_atspi  # noqa: E402
from mja_atspi import wait_for  # noqa: E402

OUT = sys.argv[1]
KEY_RIGHT = 114  # X keycodes of the evdev keymap Xvfb uses


def shot(name, width=1100, height=720):
    mja_atspi.pump(1.5)  # let thumbnails and animations settle
    subprocess.run(["import", "-window", "root", "-crop", f"{width}x{height}+0+0", "+repage",
                    os.path.join(OUT, name)], check=True)


def window_width():
    """The app window's width, as the X server has it."""
    import re
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True).stdout
    widths = [int(m.group(1)) for m in re.finditer(r'"mj-archiver"\)\s+(\d+)x(\d+)\+0\+0', tree)]
    return max(widths) if widths else 360


def synced(app):
    app.find("push button", "Sync").queryAction().doAction(0)
    wait_for(lambda: app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                                and o.getRoleName() == "label" and o.name == "Done"), 120, "Done")
    grid = app.find("table", "Jobs")
    wait_for(lambda: grid.childCount == 240, 30, "every job")
    return grid


def open_cell(app, grid, index):
    cell = grid.getChildAtIndex(index)
    extents = cell.queryComponent().getExtents(app.pyatspi.DESKTOP_COORDS)
    app.pyatspi.Registry.generateMouseEvent(extents.x + extents.width // 2, extents.y + extents.height // 2, "b1d")
    app.find("label", "Kind", timeout=60)


def page(app):
    found = app.pyatspi.findDescendant(app.application(), lambda o: o is not None and o.getRoleName() == "label"
                                       and " of " in (o.name or "") and (o.name or "").split()[0] in ("Image", "Video"))
    return found.name if found is not None else ""


def right_until(app, wanted, presses=60):
    """Right until the page indicator says @wanted ("" for a job of one image)."""
    for _ in range(presses):
        if page(app) == wanted:
            return
        app.pyatspi.Registry.generateKeyboardEvent(KEY_RIGHT, None, app.pyatspi.KEY_PRESSRELEASE)
        mja_atspi.pump(0.6)
    raise AssertionError(f"no {wanted!r} within {presses} presses")


app = mja_atspi.App(args=["--demo-signed-in"], settings={"download-kinds": "['grid', 'upscale', 'video']"})
try:
    grid = synced(app)
    shot("main-window.png")

    app.find("push button", "Close Progress").queryAction().doAction(0)
    app.find("push button", "Filters").queryAction().doAction(0)
    app.find("check box", "Upscale", timeout=10)
    shot("filter-panel.png")
    app.find("push button", "Filters").queryAction().doAction(0)
    open_cell(app, grid, 4)
    right_until(app, "")
    shot("image-view.png")
    right_until(app, "Image 1 of 4")
    shot("image-view-grid.png")
    right_until(app, "Video 1 of 2", presses=120)
    mja_atspi.pump(2)
    shot("image-view-video.png")

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

# A phone's width, 360 px, with GNOME's title buttons (close only): the
# sync sidebar lies over the grid; the view's details fold away.
app = mja_atspi.App(args=["--demo-signed-in"], settings={"window-width": "360", "window-height": "720"},
                    gtk_settings={"gtk-decoration-layout": "appmenu:close"})
try:
    grid = synced(app)
    shot("main-window-narrow.png", window_width(), 720)
    app.find("push button", "Close Progress").queryAction().doAction(0)
    mja_atspi.pump(1)  # the sidebar, over the grid here, slides away first
    open_cell(app, grid, 0)
    mja_atspi.pump(1)
    shot("image-view-narrow.png", window_width(), 720)
finally:
    app.close()

# A wide window: the panels keep their width, the grid takes the rest.
app = mja_atspi.App(args=["--demo-signed-in"], settings={"window-width": "2560", "window-height": "1400"})
try:
    grid = synced(app)
    app.find("push button", "Filters").queryAction().doAction(0)
    app.find("check box", "Upscale", timeout=10)
    shot("main-window-wide.png", 2560, 1400)
finally:
    app.close()
