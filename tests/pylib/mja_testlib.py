# mja_testlib.py — helpers shared by the Python test suites
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""TAP output, and the fake Midjourney server as a subprocess."""

import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile


class Tap:
    """Just enough TAP for meson to count our checks."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, name, fn):
        self.n += 1
        try:
            fn()
            print(f"ok {self.n} {name}", flush=True)
        except Exception as error:  # report, and go on to the next check
            self.failed += 1
            print(f"not ok {self.n} {name}", flush=True)
            for line in str(error).splitlines() or [repr(error)]:
                print(f"# {line}", flush=True)

    def done(self):
        print(f"1..{self.n}", flush=True)
        sys.exit(1 if self.failed else 0)


class FakeServer:
    """mja-fake-server in a process of its own; .env holds what it printed:
    the base URLs and the credentials it accepts."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([os.environ["MJA_FAKE_SERVER"], *args],
                                     stdout=subprocess.PIPE, text=True)
        self.env = {}
        for line in self.proc.stdout:
            if line.startswith("#"):
                break
            key, _, value = line.rstrip("\n").partition("=")
            self.env[key] = shlex.split(value)[0] if value else ""

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def temp_dir(prefix="mja-test-"):
    return tempfile.mkdtemp(prefix=prefix)


def remove(path):
    shutil.rmtree(path, ignore_errors=True)
