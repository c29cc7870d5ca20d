#!/usr/bin/env bash
# run.sh — set up, build and launch Midjourney Archiver from this checkout.
#
# Without an account configured (no MIDJOURNEY_* variables, nothing in the
# keyring) it starts in demo mode, against a built-in fake Midjourney, so a
# newcomer sees it work at once.  Arguments are passed on to the app.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build"

bash "$top/build-aux/deps.sh"
if [[ ! -f "$build/build.ninja" ]]; then
    meson setup "$build" "$top"
fi
meson compile -C "$build"

# Run uninstalled: the schema compiled in the build tree, the translations
# meson built under po/.
export GSETTINGS_SCHEMA_DIR="$build/data"
export MJA_LOCALEDIR="$build/po"

args=("$@")
if [[ ${#args[@]} -eq 0 ]] && ! "$build/src/cli/mj-archiver-cli" status --quiet >/dev/null 2>&1; then
    echo "No Midjourney account is configured yet: starting the demo (mj-archiver --demo)."
    args=(--demo)
fi
exec "$build/src/app/mj-archiver" "${args[@]}"
