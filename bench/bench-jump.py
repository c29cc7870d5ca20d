#!/usr/bin/python3
# bench-jump.py — after End in a large archive, how soon every cell in sight
# shows its thumbnail (cold thumbnail cache), and the peak memory, with GTK's
# default renderer and with cairo
#
#   xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
#       /usr/bin/python3 bench/bench-jump.py [--jobs 100000] [--build _build]
#
# The archive is bench-index's (generated and indexed on first use), as for
# bench-open.py.  Each launch is in a fresh home, so the freedesktop
# thumbnail cache is empty; the app (MJA_JUMP_BENCHMARK=1, see
# src/app/mja-bench-hooks.c) waits two seconds after the grid is filled,
# jumps to the end as End does, and logs when every cell in sight shows its
# thumbnail (target ≤ 1.5 s) and its peak resident memory.
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


def launch(app, archive, schema_dir, renderer, timeout=300):
    home = tempfile.mkdtemp(prefix="mja-bench-jump-")
    env = dict(os.environ, HOME=home, XDG_CACHE_HOME=os.path.join(home, ".cache"),
               XDG_CONFIG_HOME=os.path.join(home, ".config"), XDG_DATA_HOME=os.path.join(home, ".local/share"),
               GSETTINGS_BACKEND="memory", GSETTINGS_SCHEMA_DIR=schema_dir, GIO_USE_PROXY_RESOLVER="dummy",
               MJA_JUMP_BENCHMARK="1", NO_AT_BRIDGE="1")
    env.pop("GSK_RENDERER", None)
    if renderer:
        env["GSK_RENDERER"] = renderer
    proc = subprocess.Popen([app, archive], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    found = None
    try:
        while time.monotonic() < deadline and found is None:
            for line in list(lines):
                m = re.search(r"Jump benchmark: (\d+) items, .* of the (\d+) cells in sight .* in (\d+) ms, "
                              r"peak resident memory (\d+) MB", line)
                if m:
                    found = tuple(int(g) for g in m.groups())
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)
    if found is None:
        sys.exit("the app never logged the jump:\n" + "".join(lines[-20:]))
    return found


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
    schema_dir = os.path.join(build, "data")
    results = {}
    for name, renderer in (("default renderer", None), ("cairo", "cairo")):
        results[name] = launch(app, archive, schema_dir, renderer)

    print(f"Jump benchmark: {args.jobs} jobs ({archive}), cold thumbnail cache, window 1280×800 under Xvfb")
    for name, (items, cells, ms, mb) in results.items():
        print(f"{name}: End to all {cells} cells in sight with thumbnails in {ms} ms (target ≤ 1500 ms); "
              f"peak resident memory {mb} MB")
    default, cairo = results["default renderer"], results["cairo"]
    print(f"default/cairo: time {default[2] / max(cairo[2], 1):.2f}×, peak memory {default[3] / max(cairo[3], 1):.2f}×")


if __name__ == "__main__":
    main()
