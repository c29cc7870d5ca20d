#!/usr/bin/python3
# test-cli-browser.py — mj-archiver-cli sync --connection browser, past a fake only a browser passes
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The fake in browser-only mode (HTTPS with its test certificate, a bot
# check whose script only a browser runs): the CLI's hidden browser
# syncs it completely under the test's X server, the direct connection is
# told no (exit 4), and without a display the browser connection says to
# use xvfb-run (exit 2).
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mja_testlib import Tap, FakeServer, base_env, cli, images_on_disk, remove, temp_dir  # noqa: E402

BLOCKED = "Midjourney's bot protection blocked the request — sign in through the built-in browser"
JOBS = 6

tap = Tap()


def browser_only_fake():
    certificate = os.path.join(temp_dir(), "cert.pem")
    return FakeServer("--browser-only", "--write-certificate", certificate, "--jobs", str(JOBS))


def test_browser_syncs_past_the_bot_check():
    with browser_only_fake() as server:
        env = base_env(server)
        assert "AuthUserToken" in env.get("MIDJOURNEY_COOKIE", ""), server.env
        archive = temp_dir()
        result = cli("sync", "--connection", "browser", "--archive", archive, "--request-interval", "0",
                     env=env, check=0, timeout=240)
        assert BLOCKED not in result.stderr, result.stderr
        jsons = [f for _, _, files in os.walk(archive) for f in files if f.endswith(".json")]
        assert len(jsons) == JOBS, (jsons, result.stderr)
        assert images_on_disk(archive) > 0, result.stderr
        # Every image whole and what its name says.
        cli("verify", "--archive", archive, env=env, check=0)
        # The same again resumes: nothing new, nothing failed.
        cli("sync", "--connection", "browser", "--archive", archive, "--request-interval", "0",
            env=env, check=0, timeout=240)
        result = cli("sync", "--connection", "direct", "--archive", temp_dir(), env=env, check=4)
        assert BLOCKED in result.stderr, result.stderr
        remove(archive)


def test_browser_without_a_display():
    with browser_only_fake() as server:
        env = base_env(server)
        for key in ("DISPLAY", "WAYLAND_DISPLAY"):
            env.pop(key, None)
        result = cli("sync", "--connection", "browser", "--archive", temp_dir(), env=env, check=2)
        assert "xvfb-run" in result.stderr and "graphical session" in result.stderr, result.stderr


if os.environ.get("DISPLAY") is None and os.environ.get("WAYLAND_DISPLAY") is None:
    print("1..0 # SKIP no display (run under xvfb-run)")
    sys.exit(0)
tap.check("sync --connection browser passes the bot check", test_browser_syncs_past_the_bot_check)
tap.check("--connection browser without a display says xvfb-run, exit 2", test_browser_without_a_display)
tap.done()
