#!/usr/bin/python3
# test-image-view.py — a person goes through the images of a grid job, and on
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Demo mode, synced: open a job of four images, press Right three times and
read "Image 4 of 4"; once more and the next job of the grid shows; the
picture is named after the prompt and where it is, the arrows are named;
F5 starts a slideshow that moves on by itself, Escape stops it."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mja_atspi  # noqa: E402
from mja_atspi import wait_for  # noqa: E402

# X keycodes of the evdev keymap Xvfb uses.
KEY_RIGHT = 114
KEY_F5 = 71
KEY_ESCAPE = 9

mja_atspi.require_display()
tap = mja_atspi.Tap()
app = mja_atspi.App(args=["--demo-signed-in"])
shots = os.environ.get("MJA_SCREENSHOT_DIR")


def press(keycode):
    app.pyatspi.Registry.generateKeyboardEvent(keycode, None, app.pyatspi.KEY_PRESSRELEASE)
    mja_atspi.pump(0.3)


def label_named(predicate):
    return app.pyatspi.findDescendant(app.application(), lambda o: o is not None and o.getRoleName() == "label"
                                      and predicate(o.name or ""))


def shows_job(prompt):
    """The window is titled with the job's prompt (the grid's cells name
    every prompt too, so a label would not tell)."""
    frame = app.application().getChildAtIndex(0)
    title = (frame.name or "") if frame is not None else ""
    return title.rstrip("…") != "" and prompt.startswith(title.rstrip("…"))


def page():
    found = label_named(lambda name: name.startswith("Image ") and " of " in name)
    return found.name if found is not None else ""


def cells():
    grid = app.find("table", "Jobs")
    names = []
    for i in range(grid.childCount):
        cell = grid.getChildAtIndex(i)
        if cell is not None and cell.childCount > 0:
            names.append(cell.getChildAtIndex(0).name)
    return names


def every_cell():
    names = cells()
    return names if len(names) == 240 else None


try:
    prompts = []
    state = {}

    def synced():
        app.find("push button", "Sync").queryAction().doAction(0)
        wait_for(lambda: app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                                    and o.getRoleName() == "label" and o.name == "Done"),
                 120, "the progress to say Done")
        prompts.extend(wait_for(every_cell, 30, "every job in the grid"))
        app.find("push button", "Close Progress").queryAction().doAction(0)

    def open_grid_job():
        grid = app.find("table", "Jobs")
        cell = grid.getChildAtIndex(0)
        extents = cell.queryComponent().getExtents(app.pyatspi.DESKTOP_COORDS)
        app.pyatspi.Registry.generateMouseEvent(extents.x + extents.width // 2, extents.y + extents.height // 2,
                                                "b1d")
        app.find("push button", "Back", timeout=10)
        # The demo's newest jobs: go on with Right until one of four images.
        for index in range(12):
            if wait_for(lambda: shows_job(prompts[index]), 10, f"job {index} shown") and page() == "Image 1 of 4":
                state["index"] = index
                break
            press(KEY_RIGHT)
        assert "index" in state, "no job of four images among the first twelve"
        picture = app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                             and o.getRoleName() == "image" and "Image 1 of 4" in (o.name or ""))
        assert picture is not None and picture.name.startswith(prompts[state["index"]][:40]), \
            picture.name if picture else "no picture named after the prompt"
        for name in ("Previous", "Next", "Zoom In", "Zoom Out", "Copy Prompt", "Details"):
            assert app.pyatspi.findDescendant(app.application(), lambda o: o is not None and o.name == name), name

    def right_three_times():
        for _ in range(3):
            press(KEY_RIGHT)
        wait_for(lambda: page() == "Image 4 of 4", 10, "Image 4 of 4")
        if shots:
            subprocess.run(["import", "-window", "root", os.path.join(shots, "image-view-grid.png")], check=False)

    def once_more():
        press(KEY_RIGHT)
        following = prompts[state["index"] + 1]
        wait_for(lambda: shows_job(following), 10, f"the next job's prompt {following!r}")
        wait_for(lambda: page() != "Image 4 of 4", 5, "the indicator to leave 4 of 4")

    def slideshow():
        def where():
            frame = app.application().getChildAtIndex(0)
            return (frame.name if frame is not None else "", page())

        start = where()
        press(KEY_F5)
        # One step every 5 s: a new image or a new job, with no key pressed.
        wait_for(lambda: where() != start, 15, f"the slideshow to move on from {start}")
        press(KEY_ESCAPE)
        mja_atspi.pump(0.5)
        stopped = where()
        mja_atspi.pump(7)
        assert where() == stopped, f"the slideshow went on after Escape: {stopped} then {where()}"
        # Escape stopped the slideshow, and left the view open.
        assert stopped[0] not in ("", "Midjourney Archiver"), stopped

    tap.check("the demo syncs", synced)
    tap.check("a job of four images opens, its picture and arrows named", open_grid_job)
    tap.check("Right three times reads Image 4 of 4", right_three_times)
    tap.check("once more, the next job's prompt shows", once_more)
    tap.check("F5 starts a slideshow, Escape stops it", slideshow)
finally:
    app.close()
tap.done()
