#!/usr/bin/python3
# test-kill-and-relaunch.py — the window killed in the middle of a sync,
# started again, and Sync pressed again: the archive of one clean run;
# through the plain connection, and through the built-in browser against
# the fake that only a browser passes
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
import mja_atspi  # noqa: E402
from mja_atspi import wait_for  # noqa: E402
from mja_testlib import FakeServer, archive_files, base_env, cli, images_on_disk, remove, temp_dir  # noqa: E402

JOBS = 120

mja_atspi.require_display()
tap = mja_atspi.Tap()
# Slow enough (150 ms a request) that the sync is still running when the
# test has seen 20 images, even in the sanitizer build.
servers = [FakeServer("--jobs", str(JOBS), "--latency", "150", "--seed", "11")]
certificate = os.path.join(temp_dir(), "cert.pem")
servers.append(FakeServer("--browser-only", "--write-certificate", certificate,
                          "--jobs", str(JOBS), "--latency", "150", "--seed", "11"))


def done(app):
    # The end of a sync: "Done", or "Up to date" when the killed one had
    # listed every job already and only images were left to fetch.
    return app.pyatspi.findDescendant(app.application(), lambda o: o is not None and o.getRoleName() == "label"
                                      and (o.name == "Done" or (o.name or "").startswith("Up to date")))


def killed_and_relaunched(server, connection):
    clean, archive = temp_dir("mja-clean-"), temp_dir("mja-killed-")
    try:
        cli("sync", "--connection", connection, "--archive", clean, "--request-interval", "0",
            env=base_env(server), check=0, timeout=300)

        first = mja_atspi.App(args=[archive], env=dict(server.env))
        try:
            first.find("push button", "Sync").queryAction().doAction(0)
            deadline = time.monotonic() + 90
            while images_on_disk(archive) < 20:
                assert first.proc.poll() is None, "the app ended before it could be killed"
                assert time.monotonic() < deadline, "the sync saved no images"
                mja_atspi.pump(0.05)
            assert done(first) is None, "the sync ended before it could be killed"
            os.kill(first.proc.pid, signal.SIGKILL)
            first.proc.wait()
        finally:
            first.close()

        problems = json.loads(cli("verify", "--json", "--archive", archive, env=base_env(server)).stdout)["problems"]
        damaged = [p for p in problems if p["kind"] in ("corrupt", "broken-json")]
        assert not damaged, f"the killed app left damaged files: {damaged[:3]}"

        second = mja_atspi.App(args=[archive], env=dict(server.env))
        try:
            second.find("push button", "Sync").queryAction().doAction(0)
            wait_for(lambda: done(second), 180, "the second sync to run to Done")
        finally:
            second.close()
        assert archive_files(archive) == archive_files(clean), "the resumed archive differs from a clean one"
        problems = json.loads(cli("verify", "--json", "--archive", archive, env=base_env(server)).stdout)["problems"]
        assert problems == [], problems[:3]
    finally:
        remove(clean)
        remove(archive)


try:
    tap.check("killed mid-sync, relaunched and synced again: the archive of a clean run",
              lambda: killed_and_relaunched(servers[0], "direct"))
    # Signed in with the cookie, the app meets the bot check and goes on
    # through its built-in browser (connection auto).
    tap.check("the same through the built-in browser, past the bot check",
              lambda: killed_and_relaunched(servers[1], "browser"))
finally:
    for server in servers:
        server.stop()
tap.done()
