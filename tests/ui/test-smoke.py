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
# Settings in a keyfile, read back from outside: the demo's account must
# not land in the person's own settings.
app = mja_atspi.App(args=["--demo"], settings={"window-width": "1100"})
keyfile = os.path.join(app.env["XDG_CONFIG_HOME"], "glib-2.0", "settings", "keyfile")
try:
    def main_window():
        window = app.find("frame", "Midjourney Archiver")
        assert window.getState().contains(app.pyatspi.STATE_SHOWING), "the main window is not showing"

    def demo_page():
        # A newcomer's demo starts signed out, as a real first start does,
        # and says how to sign in to its fake site.
        app.find("label", "Sign in to Midjourney")
        found = app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                           and o.getRoleName() == "label" and "Demo mode" in (o.name or ""))
        assert found is not None, "the demo does not say it is one"
        assert "ada@example.com" in found.name, found.name

    def demo_sign_in():
        # Its site is the fake only a browser passes: the bot check solves
        # itself in the built-in browser, then the site's form takes the
        # account the page named, and the demo is signed in.
        app.sign_in_through_the_site("ada@example.com", "analytical-engine")
        app.find("label", "Click Sync to Download Your History", timeout=30)
        mja_atspi.pump(1)
        with open(keyfile, encoding="utf-8") as f:
            assert "browser-account" not in f.read(), "the demo's account went into the settings"

    def menu_button():
        app.find("push button", "Main Menu")

    tap.check("main window found by its accessible name", main_window)
    tap.check("demo mode says so, signed out, with its account", demo_page)
    tap.check("the demo signs in through the built-in browser, past the fake's bot check", demo_sign_in)
    tap.check("the main menu button has an accessible name", menu_button)
finally:
    app.close()
tap.done()
