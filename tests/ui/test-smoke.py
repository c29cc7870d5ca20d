#!/usr/bin/python3
# test-smoke.py — the app starts and its main window is on the accessibility bus
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mja_atspi  # noqa: E402

mja_atspi.require_display()
tap = mja_atspi.Tap()
app = mja_atspi.App(args=["--demo"])
try:
    def main_window():
        window = app.find("frame", "Midjourney Archiver")
        assert window.getState().contains(app.pyatspi.STATE_SHOWING), "the main window is not showing"

    def demo_page():
        app.find("label", "Click Sync to Download Your History")
        found = app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                           and o.getRoleName() == "label" and "Demo mode" in (o.name or ""))
        assert found is not None, "the demo does not say it is one"

    def menu_button():
        app.find("push button", "Main Menu")

    tap.check("main window found by its accessible name", main_window)
    tap.check("demo mode says so", demo_page)
    tap.check("the main menu button has an accessible name", menu_button)
finally:
    app.close()
tap.done()
