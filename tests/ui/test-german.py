#!/usr/bin/python3
# test-german.py — under LANGUAGE=de the window speaks German, a sync included
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mja_atspi  # noqa: E402
from mja_atspi import wait_for  # noqa: E402

DEMO_JOBS = 240  # the demo's fake account

mja_atspi.require_display()
tap = mja_atspi.Tap()
# LANGUAGE is only honoured when the locale is not plain C; C.UTF-8 is always there.
app = mja_atspi.App(args=["--demo-signed-in"], env={"LANGUAGE": "de", "LANG": "C.UTF-8"}, unset=["LC_ALL", "LC_MESSAGES"])


def label_containing(text):
    return app.pyatspi.findDescendant(app.application(), lambda o: o is not None and o.getRoleName() == "label"
                                      and text in (o.name or ""))


try:
    def empty_state_in_german():
        app.find("label", "Klicken Sie auf „Synchronisieren“, um Ihren Verlauf herunterzuladen")
        assert label_containing("Demo-Modus:") is not None, "the demo note is not in German"
        assert label_containing("Click Sync") is None, "English text is left on the page"

    def header_in_german():
        app.find("push button", "Synchronisieren")
        app.find("push button", "Hauptmenü")
        app.find("push button", "Prompts durchsuchen")

    def sync_in_german():
        app.find("push button", "Synchronisieren").queryAction().doAction(0)
        # As in ui-demo-sync: on a busy machine the app answers AT-SPI slowly once the sync starts.
        app.find("progress bar", "Fortschritt der Synchronisierung", timeout=30)
        wait_for(lambda: label_containing("Fertig"), 120, "the progress to say Fertig")
        app.find("label", "Neue Aufträge")
        # The title's subtitle uses the German plural.
        wait_for(lambda: label_containing(f"— {DEMO_JOBS} Aufträge"), 30, f"the subtitle to count {DEMO_JOBS} Aufträge")

    def filter_panel_in_german():
        app.find("push button", "Filter").queryAction().doAction(0)
        app.find("label", "Art", timeout=10)
        app.find("push button", "Filter zurücksetzen")

    tap.check("the empty page is in German", empty_state_in_german)
    tap.check("the header bar's buttons have German names", header_in_german)
    tap.check("a sync reports its progress in German", sync_in_german)
    tap.check("the filter panel is in German", filter_panel_in_german)
finally:
    app.close()
tap.done()
