#!/usr/bin/env bash
# test.sh — set up, build and run the whole test suite, UI tests included,
# under Xvfb with a private D-Bus session.  Ends with one line
# "N passed, N failed[, N skipped]" read from meson's test log.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build-test"

bash "$top/build-aux/deps.sh" --tests
if [[ ! -f "$build/build.ninja" ]]; then
    meson setup "$build" "$top" --werror
fi
meson compile -C "$build"

# UI tests must not skip for want of a display here.
export MJA_REQUIRE_DISPLAY=1
status=0
xvfb-run -a -s "-screen 0 1280x800x24" \
    dbus-run-session -- \
    meson test -C "$build" --print-errorlogs --num-processes 2 "$@" || status=$?

/usr/bin/python3 "$top/build-aux/test-summary.py" "$build/meson-logs/testlog.json" || status=$?
exit "$status"
