#!/usr/bin/python3
# test-sync-at-startup.py — with "Sync at Start-Up" on and a session in the
# environment, the app syncs by itself when it starts
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
app = mja_atspi.App(args=[archive], env=dict(server.env), settings={"sync-at-startup": "true"})
try:
    def syncs_by_itself():
        wait_for(lambda: app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                                    and o.getRoleName() == "label" and o.name == "Done"),
                 60, "a sync to run to Done without pressing Sync")
        grid = app.find("table", "Jobs")
        wait_for(lambda: grid.childCount == JOBS, 30, f"{JOBS} cells")

    tap.check("with Sync at Start-Up on, the app syncs when it starts", syncs_by_itself)
finally:
    app.close()
    server.stop()
    remove(archive)
tap.done()
