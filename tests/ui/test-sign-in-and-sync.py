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
keyring = os.path.join(temp_dir("mja-e2e-keyring-"), "keyring")
env = {key: server.env[key] for key in ("MJA_API_BASE_URL", "MJA_CDN_BASE_URL", "MJA_AUTH_BASE_URL")}
# A private keyring (libsecret's file backend) and settings in a keyfile,
# both read back from outside the app.
env.update({"SECRET_BACKEND": "file", "SECRET_FILE_TEST_PATH": keyring, "SECRET_FILE_TEST_PASSWORD": "test"})
app = mja_atspi.App(args=[archive], env=env, settings={"window-width": "1100"},
                    unset=("MIDJOURNEY_COOKIE", "MIDJOURNEY_SESSION_TOKEN", "MIDJOURNEY_USER_ID"))
keyfile = os.path.join(app.env["XDG_CONFIG_HOME"], "glib-2.0", "settings", "keyfile")



try:
    def signed_out_state():
        app.find("label", "Sign in to Midjourney")

    def sign_in_with_the_cookie():
        # Sign In… opens the built-in browser; the cookie is the other way.
        app.find("push button", "Sign In…").queryAction().doAction(0)
        # The dialog's toplevel reaches AT-SPI as a "filler", not a "frame"
        # (MjaSignInDialog with its WebKitWebView): look for the window the
        # person sees, by its title, among the app's windows.
        dialog = wait_for(lambda: app.window_named("Sign In to Midjourney"), 15,
                          "a window named 'Sign In to Midjourney'")
        app.find("push button", "Use a Cookie Instead", root=dialog).queryAction().doAction(0)
        preferences = app.find("frame", "Preferences", timeout=15)
        cookie_row = app.find("text", "Browser cookie", root=preferences)
        cookie_row.queryEditableText().setTextContents(server.env["MIDJOURNEY_COOKIE"])
        # The row's eye button has a name, and says what it will do next.
        app.find("push button", "Show Text", root=preferences).queryAction().doAction(0)
        app.find("push button", "Hide Text", root=preferences, timeout=5).queryAction().doAction(0)
        app.find("push button", "Show Text", root=preferences, timeout=5)
        app.find("push button", "Sign In", root=preferences).queryAction().doAction(0)
        # By the name the session's token carries, not by the account's id.
        wait_for(lambda: app.label_starting("Signed in as Ada Lovelace", preferences), 30,
                 "Preferences to say who is signed in")
        wait_for(lambda: app.label_starting("Kept in your keyring", preferences), 15, "the session in the keyring")
        # Videos too, this time: the switch writes GSettings at once.
        switch = app.find("check box", "Download Videos", root=preferences)
        extents = switch.queryComponent().getExtents(app.pyatspi.DESKTOP_COORDS)
        app.pyatspi.Registry.generateMouseEvent(extents.x + extents.width // 2, extents.y + extents.height // 2, "b1c")
        wait_for(lambda: os.path.exists(keyfile) and "'video'" in open(keyfile, encoding="utf-8").read(), 15,
                 "download-kinds with video in the settings")
        app.find("push button", "Close", root=preferences).queryAction().doAction(0)

    def sync_fills_the_grid():
        app.find("push button", "Sync", timeout=15).queryAction().doAction(0)
        wait_for(lambda: app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                                    and o.getRoleName() == "label" and o.name == "Done"),
                 120, "the progress to say Done")
        grid = app.find("table", "Jobs")
        wait_for(lambda: grid.childCount == JOBS, 30, f"{JOBS} cells in the grid")

    tap.check("an empty archive without a session asks to sign in", signed_out_state)
    tap.check("the cookie pasted in Preferences signs in, into the keyring; settings apply", sign_in_with_the_cookie)
    tap.check("Sync fills the grid with every job", sync_fills_the_grid)
finally:
    app.close()
    server.stop()


def keyring_holds_the_session():
    status = subprocess.run([os.environ["MJA_CLI"], "status", "--json"], capture_output=True, text=True,
                            env={**os.environ, **env, "GSETTINGS_BACKEND": "memory"})
    report = json.loads(status.stdout)
    assert report["signed_in"] and report["user_id"] == server.env["MIDJOURNEY_USER_ID"], status.stdout
    with open(keyring, "rb") as f:
        stored = f.read()
    token = server.env["MIDJOURNEY_COOKIE"].split("AuthUserTokenV3_i=")[1].split(";")[0]
    assert token.encode() not in stored, "the keyring file holds the token in clear"


def archive_is_whole():
    verify = subprocess.run([os.environ["MJA_CLI"], "verify", "--json", "--archive", archive],
                            capture_output=True, text=True, env={**os.environ, "GSETTINGS_BACKEND": "memory"})
    report = json.loads(verify.stdout)
    assert verify.returncode == 0 and report["problems"] == [], verify.stdout + verify.stderr
    jsons = [f for _, _, files in os.walk(archive) for f in files if f.endswith(".json")]
    assert len(jsons) == JOBS, len(jsons)
    assert report["checked_images"] > JOBS, report
    videos = [f for _, _, files in os.walk(archive) for f in files if f.endswith(".mp4")]
    assert videos, "videos were chosen in Preferences but none was downloaded"


tap.check("the keyring holds the session, and only there", keyring_holds_the_session)
tap.check("the archive on disk holds every job, image and chosen video", archive_is_whole)
remove(archive)
remove(os.path.dirname(keyring))
tap.done()
