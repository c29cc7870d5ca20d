#!/usr/bin/python3
# test-sign-in-and-sync.py — end to end, as a person: sign in with the
# browser cookie in Preferences, sync, browse, quit; the archive holds it all
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
import mja_atspi  # noqa: E402
from mja_atspi import wait_for  # noqa: E402
from mja_testlib import FakeServer, remove, temp_dir  # noqa: E402

JOBS = 45

mja_atspi.require_display()
tap = mja_atspi.Tap()
server = FakeServer("--jobs", str(JOBS), "--latency", "5")
archive = temp_dir("mja-e2e-archive-")
env = {key: server.env[key] for key in ("MJA_API_BASE_URL", "MJA_CDN_BASE_URL", "MJA_AUTH_BASE_URL")}
app = mja_atspi.App(args=[archive], env=env,
                    unset=("MIDJOURNEY_COOKIE", "MIDJOURNEY_SESSION_TOKEN", "MIDJOURNEY_USER_ID"))



def label_starting(prefix, root=None):
    return app.pyatspi.findDescendant(root or app.application(), lambda o: o is not None
                                      and o.getRoleName() == "label" and (o.name or "").startswith(prefix))


try:
    def signed_out_state():
        app.find("label", "Sign in to Midjourney")

    def sign_in_with_the_cookie():
        app.find("push button", "Sign In…").queryAction().doAction(0)
        preferences = app.find("frame", "Preferences", timeout=15)
        cookie_row = app.find("text", "Browser cookie", root=preferences)
        cookie_row.queryEditableText().setTextContents(server.env["MIDJOURNEY_COOKIE"])
        app.find("push button", "Sign In", root=preferences).queryAction().doAction(0)
        wait_for(lambda: label_starting("Signed in as user " + server.env["MIDJOURNEY_USER_ID"], preferences), 30,
                 "Preferences to say who is signed in")
        app.find("push button", "Close", root=preferences).queryAction().doAction(0)

    def sync_fills_the_grid():
        app.find("push button", "Sync", timeout=15).queryAction().doAction(0)
        wait_for(lambda: app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                                    and o.getRoleName() == "label" and o.name == "Done"),
                 120, "the progress to say Done")
        grid = app.find("table", "Jobs")
        wait_for(lambda: grid.childCount == JOBS, 30, f"{JOBS} cells in the grid")

    tap.check("an empty archive without a session asks to sign in", signed_out_state)
    tap.check("the cookie pasted in Preferences signs in", sign_in_with_the_cookie)
    tap.check("Sync fills the grid with every job", sync_fills_the_grid)
finally:
    app.close()
    server.stop()


def archive_is_whole():
    verify = subprocess.run([os.environ["MJA_CLI"], "verify", "--json", "--archive", archive],
                            capture_output=True, text=True, env={**os.environ, "GSETTINGS_BACKEND": "memory"})
    report = json.loads(verify.stdout)
    assert verify.returncode == 0 and report["problems"] == [], verify.stdout + verify.stderr
    jsons = [f for _, _, files in os.walk(archive) for f in files if f.endswith(".json")]
    assert len(jsons) == JOBS, len(jsons)
    assert report["checked_images"] > JOBS, report


tap.check("the archive on disk holds every job and image", archive_is_whole)
remove(archive)
tap.done()
