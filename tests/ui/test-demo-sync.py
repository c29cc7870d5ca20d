#!/usr/bin/python3
# test-demo-sync.py — a person syncs the demo account and browses it
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mja_atspi  # noqa: E402
from mja_atspi import wait_for  # noqa: E402

DEMO_JOBS = 240  # the demo's fake account

mja_atspi.require_display()
tap = mja_atspi.Tap()
app = mja_atspi.App(args=["--demo-signed-in"])
shots = os.environ.get("MJA_SCREENSHOT_DIR")



def subtitle():
    found = app.pyatspi.findDescendant(app.application(), lambda o: o is not None and o.getRoleName() == "label"
                                       and " job" in (o.name or ""))
    return found.name if found else ""


try:
    def empty_state():
        app.find("label", "Click Sync to Download Your History")

    def cells(grid=None):
        grid = grid or app.find("table", "Jobs")
        names = []
        for i in range(grid.childCount):
            cell = grid.getChildAtIndex(i)
            if cell is not None and cell.childCount > 0:
                names.append(cell.getChildAtIndex(0).name)
        return names

    def sync_to_the_end():
        app.find("push button", "Sync").queryAction().doAction(0)
        # Under the sanitizers, on a busy machine, the first walk of the tree is slow.
        app.find("progress bar", "Sync Progress", timeout=30)
        # The demo is quick: its sync may be over before we look for "Stop".
        wait_for(lambda: app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                                    and o.getRoleName() == "label" and o.name == "Done"),
                 120, "the progress to say Done")
        if shots:
            subprocess.run(["import", "-window", "root", os.path.join(shots, "synced.png")], check=False)
        app.find("push button", "Sync", timeout=10)
        wait_for(lambda: subtitle().endswith(f"{DEMO_JOBS} jobs"), 30, f"the title to count {DEMO_JOBS} jobs")

    def grid_holds_every_job():
        grid = app.find("table", "Jobs")
        names = wait_for(lambda: (lambda n: len(n) == DEMO_JOBS and n)(cells(grid)), 30, f"{DEMO_JOBS} cells")
        assert all(name and len(name) > 10 for name in names), names[:5]

    def search_narrows():
        app.find("push button", "Search Prompts").queryAction().doAction(0)
        entry = wait_for(lambda: app.pyatspi.findDescendant(
            app.application(), lambda o: o is not None and o.name == "Search prompts"
            and o.getRoleName() in ("entry", "text", "search box")),
            10, "the search entry")
        entry.queryEditableText().setTextContents("lighthouse")
        grid = app.find("table", "Jobs")
        names = wait_for(lambda: (lambda n: 0 < len(n) < DEMO_JOBS and n)(cells(grid)), 20, "the grid to narrow")
        assert all("lighthouse" in name for name in names), [n for n in names if "lighthouse" not in n][:3]
        if shots:
            subprocess.run(["import", "-window", "root", os.path.join(shots, "search.png")], check=False)

    def open_a_job():
        grid = app.find("table", "Jobs")
        cell = grid.getChildAtIndex(0)
        prompt = cell.getChildAtIndex(0).name
        extents = cell.queryComponent().getExtents(app.pyatspi.DESKTOP_COORDS)
        app.pyatspi.Registry.generateMouseEvent(extents.x + extents.width // 2, extents.y + extents.height // 2,
                                                "b1d")
        app.find("label", "Kind", timeout=10)
        wait_for(lambda: app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                                    and o.getRoleName() == "label" and o.name == prompt),
                 10, "the view to show the job's prompt")
        app.find("push button", "Copy Prompt")

        # Zoom: in twice, each step larger, then back to best fit.
        app.find("push button", "Best Fit", timeout=10)

        def zoom_level():
            found = app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                               and o.getRoleName() == "push button" and (o.name or "").endswith("%"))
            return int(found.name.rstrip(" %")) if found else 0

        app.find("push button", "Zoom In").queryAction().doAction(0)
        first = wait_for(zoom_level, 5, "a zoom level in percent")
        app.find("push button", "Zoom In").queryAction().doAction(0)
        wait_for(lambda: zoom_level() > first, 5, "a larger zoom level")
        level = app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                           and o.getRoleName() == "push button" and (o.name or "").endswith("%"))
        level.queryAction().doAction(0)
        app.find("push button", "Best Fit", timeout=5)
        if shots:
            subprocess.run(["import", "-window", "root", os.path.join(shots, "image-view.png")], check=False)
        app.find("push button", "Back").queryAction().doAction(0)
        wait_for(lambda: app.find("table", "Jobs").childCount > 0, 10, "the grid again")

    def click(accessible):
        # Where it is once it stays put: the filter panel slides in, and a
        # click taken from the middle of the slide lands beside the box.
        def settled():
            before = accessible.queryComponent().getExtents(app.pyatspi.DESKTOP_COORDS)
            mja_atspi.pump(0.3)
            after = accessible.queryComponent().getExtents(app.pyatspi.DESKTOP_COORDS)
            same = (before.x, before.y, before.width, before.height) == (after.x, after.y, after.width, after.height)
            return after if same and after.width > 0 else None
        extents = wait_for(settled, 10, f"{accessible.name} to stay in place")
        app.pyatspi.Registry.generateMouseEvent(extents.x + extents.width // 2, extents.y + extents.height // 2,
                                                "b1c")

    def checked(accessible):
        return accessible.getState().contains(app.pyatspi.STATE_CHECKED)

    def ancestor(accessible, role, name=None):
        while accessible is not None and (accessible.getRoleName() != role
                                          or (name is not None and accessible.name != name)):
            accessible = accessible.parent
        assert accessible is not None, f"no {role} around"
        return accessible

    def filter_by_type():
        # Each walk of the whole tree passes the grid's cells: walk it little.
        grid = app.find("table", "Jobs")
        filters = app.find("push button", "Filters")
        filters.queryAction().doAction(0)
        def upscale_row():
            check = app.find("check box", "Upscale", timeout=10)
            row = ancestor(check, "list item", "Upscale")
            count = int(app.pyatspi.findDescendant(row, lambda o: o is not None and o.getRoleName() == "label"
                                                   and (o.name or "").endswith(" jobs")).name.split()[0])
            click(check)
            # A click the application never saw (it was still busy, or
            # closing the context menu) leaves the box clear: ask again.
            try:
                wait_for(lambda: checked(check), 5, "Upscale to be checked")
            except AssertionError:
                return None
            return (count,)  # a tuple: true even for a count of 0
        count, = wait_for(upscale_row, 30, "the Upscale row and its count, checked")
        wait_for(lambda: len(cells(grid)) == count, 10, f"the grid to show the {count} upscales")
        # "Clear Filters" is also on the No Results page, out of sight in
        # the stack behind the grid: press the filter panel's, the one in view.
        # The panel may rebuild its rows as the counts change: start from a
        # row looked up now, not the one clicked.
        def in_panel(o):
            return o is not None and o.getRoleName() == "push button" and o.name == "Clear Filters"

        def clear_in_panel():
            around = app.find("check box", "Upscale", timeout=10)
            clear = None
            while clear is None and around is not None:
                clear, around = app.pyatspi.findDescendant(around, in_panel), around.parent
            return clear
        clear = wait_for(clear_in_panel, 10, "Clear Filters in the filter panel")
        clear.queryAction().doAction(0)
        wait_for(lambda: len(cells(grid)) == DEMO_JOBS, 10, "every job again")
        filters.queryAction().doAction(0)

    def png_text(path):
        import struct
        import zlib  # noqa: F401 — tEXt chunks are not compressed
        chunks = {}
        with open(path, "rb") as f:
            data = f.read()
        pos = 8
        while pos + 8 <= len(data):
            length, kind = struct.unpack(">I4s", data[pos:pos + 8])
            if kind == b"tEXt":
                key, _, value = data[pos + 8:pos + 8 + length].partition(b"\0")
                chunks[key.decode()] = value.decode("latin-1")
            pos += 12 + length
        return chunks

    def thumbnails_shared():
        cache = os.path.join(app.home, ".cache", "thumbnails", "large")
        names = wait_for(lambda: os.path.isdir(cache) and [n for n in os.listdir(cache) if n.endswith(".png")],
                         20, "thumbnails in the freedesktop cache")
        text = png_text(os.path.join(cache, names[0]))
        uri = text.get("Thumb::URI", "")
        assert uri.startswith("file:///") and uri.endswith(".png"), text
        path = uri[len("file://"):]
        assert os.path.exists(path), path
        assert text.get("Thumb::MTime") == str(int(os.stat(path).st_mtime)), text

    def context_menu_opens():
        grid = app.find("table", "Jobs")
        cell = grid.getChildAtIndex(1)
        extents = cell.queryComponent().getExtents(app.pyatspi.DESKTOP_COORDS)
        x, y = extents.x + 20, extents.y + 20
        app.pyatspi.Registry.generateMouseEvent(x, y, "b3c")
        for name in ("Open With Default Viewer", "Show in Folder", "Copy Prompt", "Copy Image"):
            app.find("menu item", name, timeout=10)
        app.find("menu item", "Open")
        if shots:
            mja_atspi.pump(0.5)
            subprocess.run(["import", "-window", "root", os.path.join(shots, "context-menu.png")], check=False)
        # GTK 4.8 gives a popover's items positions within the popover, and no
        # window manager here gives it the keyboard: dismiss it with a click
        # elsewhere; "Open" shares its code with the double-click above.
        title = app.find("label", "Midjourney Archiver").queryComponent().getExtents(app.pyatspi.DESKTOP_COORDS)
        app.pyatspi.Registry.generateMouseEvent(title.x + title.width // 2, title.y + title.height // 2, "b1c")
        mja_atspi.pump(0.5)

    tap.check("an empty archive says to click Sync", empty_state)
    tap.check("Sync runs to the end and the title counts every job", sync_to_the_end)
    tap.check("the grid holds every job, each named after its prompt", grid_holds_every_job)
    tap.check("thumbnails go to the freedesktop cache with Thumb::URI and Thumb::MTime", thumbnails_shared)
    tap.check("a job opens in the image view with its prompt, zooms, and Back returns", open_a_job)
    tap.check("a cell's context menu offers its actions", context_menu_opens)
    tap.check("a job type in the filter panel narrows the grid to its count", filter_by_type)
    tap.check("search narrows the grid", search_narrows)
finally:
    app.close()
tap.done()
