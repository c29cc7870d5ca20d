#!/usr/bin/env bash
# test.sh — set up, build and run the whole test suite, UI tests included,
# under Xvfb with a private D-Bus session; then the same suite again built
# with AddressSanitizer and UndefinedBehaviorSanitizer, the core tests under
# valgrind's memcheck, and a short run of every fuzz target under libFuzzer.
# Ends with one line "N passed, N failed[, N skipped]" over all of them.
#
#   bash build-aux/test.sh            everything (what CI runs)
#   bash build-aux/test.sh --quick    the plain build's suite only
#   bash build-aux/test.sh [--quick] -- MESON_TEST_ARGS…   e.g. -- ui-german
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build-test"
asan="$top/_build-asan-test"
quick=0
if [[ "${1:-}" == "--quick" ]]; then
    quick=1
    shift
fi
[[ "${1:-}" == "--" ]] && shift

bash "$top/build-aux/deps.sh" --tests
if [[ ! -f "$build/build.ninja" ]]; then
    meson setup "$build" "$top" --werror
fi
meson compile -C "$build"

# UI tests must not skip for want of a display here.
export MJA_REQUIRE_DISPLAY=1
in_session() {
    xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$@"
}
status=0
logs=("tests=$build/meson-logs/testlog.json")
in_session meson test -C "$build" --print-errorlogs --num-processes 2 "$@" || status=$?

if [[ $quick -eq 0 ]]; then
    # Sanitizers: every memory error and undefined behaviour fails a test;
    # leaks fail every test but the UI and browser ones (GTK and WebKit caches live as long as
    # the process).  build-aux/lsan.supp lists the few library leaks let by.
    if [[ ! -f "$asan/build.ninja" ]]; then
        meson setup "$asan" "$top" --werror -Db_sanitize=address,undefined -Db_lundef=false
    fi
    meson compile -C "$asan"
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    export LSAN_OPTIONS="suppressions=$top/build-aux/lsan.supp:print_suppressions=0"
    ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 in_session \
        meson test -C "$asan" --print-errorlogs --num-processes 2 --timeout-multiplier 3 \
        --no-suite ui --no-suite web --logbase asan || status=$?
    ASAN_OPTIONS=detect_leaks=0 in_session \
        meson test -C "$asan" --print-errorlogs --timeout-multiplier 3 --suite ui --suite web --logbase asan-ui || status=$?
    unset UBSAN_OPTIONS LSAN_OPTIONS
    logs+=("asan+ubsan=$asan/meson-logs/asan.json" "asan+ubsan (ui)=$asan/meson-logs/asan-ui.json")

    # Memcheck over the core tests and the fuzz corpora.  The sync and api
    # tests are left to the sanitizer run here: under valgrind they take
    # 12 minutes and over a minute and a half (run them with:
    # meson test -C _build --setup valgrind sync api).
    meson test -C "$build" --print-errorlogs --num-processes 2 --setup valgrind \
        job job-list archive fake-server credentials index downloader \
        fuzz-job fuzz-listing fuzz-credentials fuzz-names || status=$?
    logs+=("valgrind=$build/meson-logs/testlog-valgrind.json")

    # libFuzzer, a few seconds per target from its corpus.
    bash "$top/build-aux/fuzz.sh" "${MJA_FUZZ_SECONDS:-15}" || status=$?
fi

/usr/bin/python3 "$top/build-aux/test-summary.py" "${logs[@]}" || status=$?
exit "$status"
