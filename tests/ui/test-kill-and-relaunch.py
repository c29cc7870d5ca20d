#!/usr/bin/python3
# test-kill-and-relaunch.py — the window killed in the middle of a sync,
# started again, and Sync pressed again: the archive of one clean run
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
server = FakeServer("--jobs", str(JOBS), "--latency", "150", "--seed", "11")
clean, archive = temp_dir("mja-clean-"), temp_dir("mja-killed-")


def done(app):
    return app.pyatspi.findDescendant(app.application(), lambda o: o is not None and o.getRoleName() == "label"
                                      and o.name == "Done")


try:
    def killed_and_relaunched():
        cli("sync", "--archive", clean, "--request-interval", "0", env=base_env(server), check=0)

        first = mja_atspi.App(args=[archive], env=dict(server.env))
        try:
            first.find("push button", "Sync").queryAction().doAction(0)
            deadline = time.monotonic() + 60
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
            wait_for(lambda: done(second), 120, "the second sync to run to Done")
        finally:
            second.close()
        assert archive_files(archive) == archive_files(clean), "the resumed archive differs from a clean one"
        problems = json.loads(cli("verify", "--json", "--archive", archive, env=base_env(server)).stdout)["problems"]
        assert problems == [], problems[:3]

    tap.check("killed mid-sync, relaunched and synced again: the archive of a clean run", killed_and_relaunched)
finally:
    server.stop()
    remove(clean)
    remove(archive)
tap.done()
