#!/usr/bin/env bash
# screenshots.sh — build, then render the app's screenshots in demo mode
# under Xvfb into data/screenshots/ (README and metainfo use them).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build"

bash "$top/build-aux/deps.sh" --tests
if [[ ! -f "$build/build.ninja" ]]; then
    meson setup "$build" "$top"
fi
meson compile -C "$build"
mkdir -p "$top/data/screenshots"

export MJA_APP="$build/src/app/mj-archiver"
export GSETTINGS_SCHEMA_DIR="$build/data" GSETTINGS_BACKEND=memory
xvfb-run -a -s "-screen 0 2560x1440x24" \
    dbus-run-session -- /usr/bin/python3 "$top/build-aux/screenshots.py" "$top/data/screenshots"
echo "Screenshots written to $top/data/screenshots/"
