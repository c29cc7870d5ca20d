#!/usr/bin/python3
# test-browser-sign-in.py — end to end, as a person with only a browser
# account: against the fake that only a real browser passes (its bot check,
# its sign-in form, its CDN on another address), press Sign In…, type the
# e-mail and the password into the site's form, and the dialog closes by
# itself; Sync brings every job and image, the same bytes as a clean run;
# the direct connection is refused with the bot-protection message; no
# token lies in a file.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
import mja_atspi  # noqa: E402
from mja_atspi import wait_for  # noqa: E402
from mja_testlib import FakeServer, archive_files, base_env, cli, remove, temp_dir  # noqa: E402

JOBS = 24

mja_atspi.require_display()
tap = mja_atspi.Tap()
certificate = os.path.join(temp_dir("mja-browser-cert-"), "cert.pem")
server = FakeServer("--browser-only", "--write-certificate", certificate, "--jobs", str(JOBS), "--latency", "5",
                    "--seed", "5")
# "Sign in at URL/login as E-MAIL with the password PASSWORD."
account = re.search(r" (\S+@\S+) .* (\S+)\.$", server.notes[0])
email, password = account.group(1), account.group(2)
archive = temp_dir("mja-browser-archive-")
keyring = os.path.join(temp_dir("mja-browser-keyring-"), "keyring")
env = {key: server.env[key] for key in ("MJA_API_BASE_URL", "MJA_CDN_BASE_URL", "MJA_AUTH_BASE_URL",
                                        "MJA_TLS_CERTIFICATE")}
env.update({"SECRET_BACKEND": "file", "SECRET_FILE_TEST_PATH": keyring, "SECRET_FILE_TEST_PASSWORD": "test"})
app = mja_atspi.App(args=[archive], env=env, settings={"window-width": "1100"},
                    unset=("MIDJOURNEY_COOKIE", "MIDJOURNEY_SESSION_TOKEN", "MIDJOURNEY_USER_ID"))
def no_token_in_a_file():
    refresh = server.env["MIDJOURNEY_COOKIE"].split("AuthUserTokenV3_r=")[1].split(";")[0]
    jwt = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}")
    for root in (app.home, archive, os.path.dirname(keyring)):
        for folder, _, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                if not os.path.isfile(path) or os.path.islink(path):
                    continue  # WebKit's accessibility socket, say
                with open(path, "rb") as f:
                    data = f.read()
                assert refresh.encode() not in data, f"the refresh token is in {path}"
                assert not jwt.search(data), f"an id token is in {path}"
                assert b"AuthUserTokenV3" not in data, f"a session cookie is in {path}"


try:
    def sign_in_by_typing():
        app.find("label", "Sign in to Midjourney")
        # The dialog shows on which host the password goes, under its title.
        host = server.env["MJA_API_BASE_URL"].split("//")[1].split(":")[0].split("/")[0]
        app.sign_in_through_the_site(email, password, host=host)
        # It says who signed in, by name.
        wait_for(lambda: app.label_starting("Signed in as Ada Lovelace"), 30, "a toast naming the account")

    def sync_through_the_browser():
        app.find("push button", "Sync", timeout=30).queryAction().doAction(0)
        wait_for(lambda: app.pyatspi.findDescendant(app.application(), lambda o: o is not None
                                                    and o.getRoleName() == "label" and o.name == "Done"),
                 180, "the progress to say Done")
        grid = app.find("table", "Jobs")
        wait_for(lambda: grid.childCount == JOBS, 30, f"{JOBS} cells in the grid")

    tap.check("Sign In…, typing into the site's form, closes the dialog by itself", sign_in_by_typing)
    tap.check("Sync goes through the built-in browser past the bot check", sync_through_the_browser)
    tap.check("no token and no cookie in any file of the home, the archive or the keyring's folder",
              no_token_in_a_file)
finally:
    app.close()


def same_as_a_clean_run():
    # The fake's CDN answers 400 to a request with a cookie or an
    # Authorization header: the same bytes as a clean run mean that no
    # image request carried the session.
    clean = temp_dir("mja-browser-clean-")
    try:
        cli("sync", "--connection", "browser", "--archive", clean, "--request-interval", "0",
            env=base_env(server), check=0, timeout=300)
        expected, got = archive_files(clean), archive_files(archive)
        assert sorted(got) == sorted(expected), sorted(set(got) ^ set(expected))[:10]
        assert sum(name.endswith(".png") for name in got) >= JOBS, sorted(got)[:10]
        different = [name for name in expected if got[name] != expected[name]]
        assert not different, different[:10]
    finally:
        remove(clean)


def direct_is_refused():
    elsewhere = temp_dir("mja-browser-direct-")
    try:
        result = cli("sync", "--connection", "direct", "--archive", elsewhere, env=base_env(server), check=4)
        assert ("Midjourney's bot protection blocked the request — sign in through the built-in browser"
                in result.stderr), result.stderr
    finally:
        remove(elsewhere)


try:
    tap.check("the archive is byte for byte a clean browser sync's", same_as_a_clean_run)
    tap.check("the direct connection meets the bot check: exit 4, and says what to do", direct_is_refused)
finally:
    server.stop()
remove(archive)
remove(os.path.dirname(keyring))
remove(os.path.dirname(certificate))
tap.done()
