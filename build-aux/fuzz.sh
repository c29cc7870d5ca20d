#!/usr/bin/env bash
# fuzz.sh — run every fuzz target under libFuzzer for a while
#
#   bash build-aux/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]
#
# Builds tests/fuzz with clang, libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer in _build-fuzz, then fuzzes each target
# (default: all four, 30 s each) starting from its corpus in
# tests/fuzz/corpus/NAME.  New interesting inputs go to a scratch corpus in
# the build folder; a crash stops with the input saved as
# _build-fuzz/crash-NAME-*: fix the bug, then copy the input into
# tests/fuzz/corpus/NAME so the test suite replays it from then on.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build-fuzz"
seconds=${1:-30}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(job listing credentials names)

if [[ ! -f "$build/build.ninja" ]]; then
    CC=clang meson setup "$build" "$top" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
        --buildtype=debugoptimized >/dev/null
fi
meson compile -C "$build" "${targets[@]/#/fuzz-}" >/dev/null

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
for name in "${targets[@]}"; do
    scratch="$build/corpus-$name"
    mkdir -p "$scratch"
    echo "fuzz-$name: ${seconds} s from $(ls "$top/tests/fuzz/corpus/$name" | wc -l) seeds"
    if ! "$build/tests/fuzz/fuzz-$name" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
            -artifact_prefix="$build/crash-$name-" -print_final_stats=1 \
            "$scratch" "$top/tests/fuzz/corpus/$name" > "$build/fuzz-$name.log" 2>&1; then
        echo "fuzz-$name: FAILED, see $build/fuzz-$name.log"
        grep -E "ERROR|SUMMARY|Test unit written" "$build/fuzz-$name.log" | head -5
        status=1
    else
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz-$name.log" \
            | sed "s/^/fuzz-$name: /"
    fi
done
exit $status
