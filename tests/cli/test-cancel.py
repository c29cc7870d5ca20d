#!/usr/bin/python3
# test-cancel.py — SIGTERM and Ctrl+C end a sync at once, even while a large page is written
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mja_testlib import CLI, FakeServer, Tap, base_env, cli, remove, temp_dir  # noqa: E402

tap = Tap()

JOBS = 2000


def json_files(root):
    return sum(1 for _, _, files in os.walk(root) for f in files if f.endswith(".json"))


def test_signal_mid_page():
    # One page of 2,000 jobs: each file is flushed to disk, which takes the
    # disk most of a minute; the signal comes while it is written.
    with FakeServer("--jobs", str(JOBS), "--page-jobs", str(JOBS), "--era", "current") as server:
        env = base_env(server)
        archive = temp_dir()
        try:
            for signum in (signal.SIGTERM, signal.SIGINT):
                before = json_files(archive)
                proc = subprocess.Popen([CLI, "sync", "--archive", archive, "--no-download",
                                         "--request-interval", "0"],
                                        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                deadline = time.monotonic() + 120
                while json_files(archive) < before + 50:
                    assert proc.poll() is None, "the sync ended before the page was written: " + proc.stderr.read()
                    assert time.monotonic() < deadline, "the sync wrote no job files"
                    time.sleep(0.02)
                start = time.monotonic()
                proc.send_signal(signum)
                out, err = proc.communicate(timeout=60)
                took = time.monotonic() - start
                print(f"# {signal.Signals(signum).name}: ended after {took:.2f} s, "
                      f"{json_files(archive)} of {JOBS} jobs written", flush=True)
                # Within a second, as the issue asks (0.05 s here).  Under
                # AddressSanitizer the exit's own leak scan takes 0.6 s of
                # it: there the bound is looser.
                limit = 3 if "detect_leaks" in os.environ.get("ASAN_OPTIONS", "") else 1
                assert took < limit, f"{signal.Signals(signum).name} took {took:.2f} s"
                assert proc.returncode == 130, (proc.returncode, err)
                assert "next sync resumes" in err, err
                assert json_files(archive) < JOBS
            # The next sync resumes and finishes the archive.
            result = cli("sync", "--archive", archive, "--no-download", "--request-interval", "0", env=env,
                         check=0, timeout=300)
            assert json_files(archive) == JOBS, (json_files(archive), result.stdout)
        finally:
            remove(archive)


tap.check("SIGTERM and Ctrl+C end a sync within a second while a page is written", test_signal_mid_page)
tap.done()
