#!/usr/bin/python3
# test-manifest.py — the Flatpak manifest parses cleanly and asks for what
# the app needs and no more
#
# flatpak-builder --show-manifest parses the manifest as a build would,
# without downloading anything; G_DEBUG=fatal-warnings turns its warnings
# (an unknown or misspelt property, say) into a failure.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import subprocess
import sys

manifest = sys.argv[1]
env = dict(os.environ, G_DEBUG="fatal-warnings")
result = subprocess.run(["flatpak-builder", "--show-manifest", manifest], env=env, capture_output=True, text=True)
if result.returncode != 0:
    sys.exit(f"flatpak-builder --show-manifest failed ({result.returncode}):\n{result.stderr}")
parsed = json.loads(result.stdout)

problems = []
expect = {
    "id": "io.github.mjarchiver.Archiver",
    "runtime": "org.gnome.Platform",
    "sdk": "org.gnome.Sdk",
    "command": "mj-archiver",
}
for key, value in expect.items():
    if parsed.get(key) != value:
        problems.append(f"{key} is {parsed.get(key)!r}, expected {value!r}")
if not str(parsed.get("runtime-version", "")).isdigit():
    problems.append(f"runtime-version {parsed.get('runtime-version')!r} is not a GNOME release branch")

finish_args = set(parsed.get("finish-args", []))
needed = {"--share=network", "--share=ipc", "--socket=wayland", "--socket=fallback-x11", "--device=dri",
          "--filesystem=xdg-pictures/Midjourney:create"}
for arg in sorted(needed - finish_args):
    problems.append(f"finish-args lack {arg}")
for arg in sorted(finish_args):
    if arg.startswith("--filesystem=") and arg not in needed:
        problems.append(f"finish-args open more of the disk than the default archive: {arg}")
    if arg in ("--socket=x11", "--talk-name=org.freedesktop.secrets"):
        problems.append(f"{arg}: use fallback-x11 and the keyring portal instead")

module = parsed["modules"][-1]
if module.get("buildsystem") != "meson":
    problems.append("the app's module is not built with meson")
if not any(s.get("type") == "dir" for s in module.get("sources", [])):
    problems.append("the app's module is not built from the local source")
for source in (s for m in parsed["modules"] for s in m.get("sources", [])):
    if source.get("type") in ("archive", "file", "git") and not source.get("sha256") and not source.get("commit"):
        problems.append(f"a {source['type']} source is not pinned: {source}")

for problem in problems:
    print(problem)
print(f"{manifest}: {'problems found' if problems else 'parses cleanly, finish-args as expected'}")
sys.exit(1 if problems else 0)
