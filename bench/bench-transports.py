#!/usr/bin/python3
# bench-transports.py — the same sync of about 2,000 images at 30 ms of
# latency through each connection, direct (libsoup) and the built-in
# browser (WebKitGTK), in one run; and the memory of WebKit's processes
#
#   xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
#       /usr/bin/python3 bench/bench-transports.py [--images 2000] [--build _build]
#
# Both connections sync from one fake server over the same HTTPS (its
# browser-only mode with --no-bot-check, so the direct connection is let
# in too), each into a fresh archive, alternately, --rounds times, after
# one untimed sync that has the fake draw its images; the fastest of each
# is compared (target: browser within 1.3× of direct).
# Both archives must come out the same, file for file and byte for byte.
# WebKit's web and network processes are children of mj-archiver-cli:
# their peak resident memory (VmHWM) is read from /proc while they run.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(top, "tests", "pylib"))
from mja_testlib import FakeServer, archive_files, base_env  # noqa: E402


def descendants(pid):
    """Process ids below @pid, with their command names."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        try:  # the comm of /proc/PID/stat is cut at 15 characters
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                name = os.path.basename(f.read().split(b"\0")[0].decode(errors="replace")) or name
        except OSError:
            pass
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append((int(entry), name))
    found, todo = [], [pid]
    while todo:
        for child, name in children.get(todo.pop(), []):
            found.append((child, name))
            todo.append(child)
    return found


def status_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def sync(cli, connection, env):
    archive = tempfile.mkdtemp(prefix=f"mja-bench-{connection}-")
    start = time.monotonic()
    proc = subprocess.Popen([cli, "sync", "--connection", connection, "--archive", archive,
                             "--request-interval", "0"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peaks, cli_peak = {}, [0]

    def watch():
        while proc.poll() is None:
            cli_peak[0] = max(cli_peak[0], status_kib(proc.pid, "VmHWM"))
            for child, name in descendants(proc.pid):
                peaks[(child, name)] = max(peaks.get((child, name), 0), status_kib(child, "VmHWM"))
            time.sleep(0.1)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, err = proc.communicate(timeout=1800)
    elapsed = time.monotonic() - start
    watcher.join()
    if proc.returncode != 0:
        sys.exit(f"sync --connection {connection} exited {proc.returncode}:\n{out}\n{err}")
    by_name = {}
    for (_, name), kib in peaks.items():
        by_name[name] = max(by_name.get(name, 0), kib)
    return elapsed, archive, cli_peak[0], by_name


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=2000, help="about this many images (default 2000)")
    parser.add_argument("--latency", type=int, default=30, help="ms added to every request (default 30)")
    parser.add_argument("--rounds", type=int, default=2, help="syncs through each connection (default 2)")
    parser.add_argument("--build", default=os.path.join(top, "_build"))
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        sys.exit("The browser connection needs a display: run under xvfb-run (see the first lines).")
    cli = os.path.join(args.build, "src", "cli", "mj-archiver-cli")
    os.environ.setdefault("MJA_FAKE_SERVER", os.path.join(args.build, "src", "fake", "mja-fake-server"))

    scratch = tempfile.mkdtemp(prefix="mja-bench-transports-")
    certificate = os.path.join(scratch, "cert.pem")
    # The fake's account holds about 3 grid and upscale images a job.
    jobs = max(1, args.images // 3)
    with FakeServer("--browser-only", "--no-bot-check", "--write-certificate", certificate,
                    "--jobs", str(jobs), "--latency", str(args.latency)) as server:
        env = base_env(server)
        env["GIO_USE_PROXY_RESOLVER"] = "dummy"
        times = {"direct": [], "browser": []}
        archives, memory = {}, {}
        # The fake draws each image the first time it is asked for and
        # keeps it: one untimed sync first, so neither connection pays that.
        _, warm, _, _ = sync(cli, "direct", env)
        shutil.rmtree(warm, ignore_errors=True)
        for _ in range(args.rounds):
            for connection in ("direct", "browser"):
                elapsed, archive, cli_kib, children = sync(cli, connection, env)
                times[connection].append(elapsed)
                if connection in archives:
                    shutil.rmtree(archive, ignore_errors=True)
                else:
                    archives[connection] = archive
                old = memory.get(connection, (0, {}))
                memory[connection] = (max(old[0], cli_kib),
                                      {k: max(v, old[1].get(k, 0)) for k, v in children.items()})

    direct, browser = archive_files(archives["direct"]), archive_files(archives["browser"])
    images = sum(1 for name in direct if name.endswith((".png", ".jpg", ".jpeg", ".webp", ".mp4")))
    same = direct == browser
    print(f"Transport benchmark: {jobs} jobs, {images} media files, {args.latency} ms latency per request, "
          f"{args.rounds} syncs through each connection, alternately")
    for connection in ("direct", "browser"):
        print(f"  {connection:8} " + ", ".join(f"{t:.2f} s" for t in times[connection])
              + f"   (fastest {min(times[connection]):.2f} s)")
    ratio = min(times["browser"]) / min(times["direct"])
    print(f"  browser ÷ direct: {ratio:.2f}× (target ≤ 1.3×)")
    print(f"  peak resident memory: mj-archiver-cli {memory['direct'][0] / 1024:.0f} MB direct, "
          f"{memory['browser'][0] / 1024:.0f} MB browser")
    for name, kib in sorted(memory["browser"][1].items()):
        print(f"  peak resident memory: {name} {kib / 1024:.0f} MB")
    print(f"  archives the same, file for file: {'yes' if same else 'NO'} ({len(direct)} files)")
    if not same:
        differ = sorted(set(direct) ^ set(browser)) or sorted(k for k in direct if direct[k] != browser[k])
        print("  first differences: " + ", ".join(differ[:5]))
    for archive in archives.values():
        shutil.rmtree(archive, ignore_errors=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return 0 if same and ratio <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())
