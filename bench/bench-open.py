#!/usr/bin/python3
# bench-open.py — how soon the window shows thumbnails of a large archive,
# and how fast it makes them, against gdk-pixbuf-thumbnailer on the same files
#
#   xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
#       /usr/bin/python3 bench/bench-open.py [--jobs 100000] [--build _build]
#
# The archive is bench-index's (generated and indexed on first use).  Two
# launches of `mj-archiver ARCHIVE` in a fresh home, with the index warm:
#   1. cold thumbnail cache: every visible thumbnail is decoded from its
#      1024 × 1024 PNG; the app logs (src/app/mja-bench-hooks.c, with
#      G_MESSAGES_DEBUG=mja-bench) when the first is on screen and the rate
#      of the whole burst;
#   2. the same home again: the thumbnails come from the freedesktop cache
#      the first launch filled.
# Then gdk-pixbuf-thumbnailer (one process per image, as file managers run
# it) makes 256-pixel thumbnails of as many of the same files, one after the
# other, for the images/s to compare with.  Last, a third launch with
# MJA_SCROLL_BENCHMARK=1 scrolls the grid from top to bottom, two screens a
# frame, and reports its longest frame and peak resident memory.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time


def launch(app, archive, home, schema_dir, timeout=60, scroll=False):
    env = dict(os.environ, HOME=home, XDG_CACHE_HOME=os.path.join(home, ".cache"),
               XDG_CONFIG_HOME=os.path.join(home, ".config"), XDG_DATA_HOME=os.path.join(home, ".local/share"),
               GSETTINGS_BACKEND="memory", GSETTINGS_SCHEMA_DIR=schema_dir, GIO_USE_PROXY_RESOLVER="dummy",
               G_MESSAGES_DEBUG="mja-bench", NO_AT_BRIDGE="1")
    if scroll:
        env["MJA_SCROLL_BENCHMARK"] = "1"
    # GLib writes debug lines to standard output, warnings to standard error.
    proc = subprocess.Popen([app, archive], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    first = burst = None
    lines = []

    def read():
        for line in proc.stdout:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    scrolled = phases = None
    while time.monotonic() < deadline and (first is None or burst is None or (scroll and phases is None)):
        for line in list(lines):
            m = re.search(r"Scroll benchmark: .*", line)
            if m:
                scrolled = m.group(0)
            m = re.search(r"Scroll benchmark phases.*", line)
            if m:
                phases = m.group(0)
            m = re.search(r"First thumbnail on screen (\d+) ms after start", line)
            if m:
                first = int(m.group(1))
            m = re.search(r"Thumbnails: (\d+) decoded from their images, (\d+) from the shared cache, "
                          r"in (\d+) ms \(([\d.]+) decoded/s\)", line)
            if m and burst is None:
                burst = tuple(float(g) for g in m.groups())
        time.sleep(0.05)
    proc.terminate()
    proc.wait(timeout=10)
    if first is None or burst is None or (scroll and phases is None):
        sys.exit("the app never logged its timings:\n" + "".join(lines[-20:]))
    return (scrolled, phases) if scroll else (first, burst)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=100000)
    parser.add_argument("--build", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "_build"))
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    archive = os.path.join(tempfile.gettempdir(), f"mja-bench-archive-{args.jobs}")
    if not os.path.exists(os.path.join(archive, ".mj-archiver", "index.sqlite")):
        subprocess.run([os.path.join(build, "bench", "bench-index"), "--jobs", str(args.jobs), "--no-python"],
                       check=True)

    app = os.path.join(build, "src", "app", "mj-archiver")
    home = tempfile.mkdtemp(prefix="mja-bench-open-")
    try:
        cold_first, (decoded, _, cold_ms, rate) = launch(app, archive, home, os.path.join(build, "data"))
        warm_first, (_, hits, warm_ms, _) = launch(app, archive, home, os.path.join(build, "data"))
        scrolled = launch(app, archive, home, os.path.join(build, "data"), timeout=600, scroll=True)
    finally:
        shutil.rmtree(home, ignore_errors=True)

    # The same kind of files for gdk-pixbuf-thumbnailer: the pool's images.
    pool = os.path.join(archive, ".bench-pool")
    files = sorted(os.path.join(pool, f) for f in os.listdir(pool) if f.endswith(".png"))
    count = int(decoded) or len(files)
    out = tempfile.mkdtemp(prefix="mja-bench-thumbs-")
    start = time.monotonic()
    for i in range(count):
        subprocess.run(["gdk-pixbuf-thumbnailer", "-s", "256", files[i % len(files)],
                        os.path.join(out, f"{i}.png")], check=True)
    theirs = count / (time.monotonic() - start)
    shutil.rmtree(out, ignore_errors=True)

    print(f"Open benchmark: {args.jobs} jobs ({archive}), index warm, window 1280×800 under Xvfb")
    print(f"cold thumbnail cache: first thumbnail {cold_first} ms after start (target ≤ 1000 ms); "
          f"{int(decoded)} thumbnails decoded from 1024×1024 PNGs in {int(cold_ms)} ms = {rate:.1f}/s")
    print(f"warm thumbnail cache: first thumbnail {warm_first} ms after start; "
          f"{int(hits)} thumbnails from the freedesktop cache in {int(warm_ms)} ms")
    print(f"gdk-pixbuf-thumbnailer on {count} of the same files, one after the other: {theirs:.1f}/s; "
          f"the app is {rate / theirs:.2f}× that")
    print(scrolled[0] + " (targets: no frame over 50 ms, under 300 MB)")
    print(scrolled[1])


if __name__ == "__main__":
    main()
