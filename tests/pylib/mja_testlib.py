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
import time


class Skip(Exception):
    """Raised by a check that cannot run here: TAP's "# SKIP" with the reason."""


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
        except Skip as reason:
            print(f"ok {self.n} {name} # SKIP {reason}", flush=True)
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

    def __init__(self, *args, env=None):
        self.proc = subprocess.Popen([os.environ["MJA_FAKE_SERVER"], *args],
                                     stdout=subprocess.PIPE, text=True, env=env)
        self.env = {}
        self.notes = []  # what it says to a person: "# Sign in at … as … with the password …."
        for line in self.proc.stdout:
            if line.startswith("#"):
                self.notes.append(line[1:].strip())
                if not line.startswith("# Sign in at "):
                    break
                continue
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


# ---- mj-archiver-cli -------------------------------------------------

CLI = os.environ.get("MJA_CLI", "mj-archiver-cli")


def base_env(server=None, home=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIDJOURNEY_", "MJA_"))}
    env["HOME"] = home or temp_dir("mja-home-")
    env["XDG_DATA_HOME"] = os.path.join(env["HOME"], ".local/share")
    env["XDG_CONFIG_HOME"] = os.path.join(env["HOME"], ".config")
    env["GSETTINGS_BACKEND"] = "memory"
    # No keyring in these tests: the session comes from the environment.
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    if server is not None:
        env.update(server.env)
    return env


def cli(*args, env, check=None, timeout=120, **kwargs):
    result = subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check is not None and result.returncode != check:
        raise AssertionError(f"exit {result.returncode}, expected {check}\nstdout: {result.stdout}\n"
                             f"stderr: {result.stderr}")
    return result


def archive_files(root):
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".mj-archiver"]
        for name in filenames:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, root)] = f.read()
    return found


def images_on_disk(root):
    return sum(1 for _, _, files in os.walk(root) for f in files if f.endswith(".png"))


def wait_mid_sync(proc, root, at_least):
    """Until the sync has saved some images, and is still running."""
    deadline = time.monotonic() + 60
    while images_on_disk(root) < at_least:
        assert proc.poll() is None, "the sync ended before it could be interrupted"
        assert time.monotonic() < deadline, "the sync saved no images"
        time.sleep(0.05)
    assert proc.poll() is None, "the sync ended before it could be interrupted"
