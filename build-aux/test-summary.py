#!/usr/bin/python3
# test-summary.py — one line "N passed, N failed[, N skipped]" from meson's
# JSON test logs; exits non-zero when any test failed or none ran.
#
#   test-summary.py [LABEL=]testlog.json…
#
# With several logs, a line per log comes first, then the total.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import sys


def count(path):
    passed = failed = skipped = 0
    with open(path, encoding="utf-8") as log:
        for line in log:
            if not line.strip():
                continue
            result = json.loads(line)["result"]
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
    return passed, failed, skipped


def line(passed, failed, skipped):
    text = f"{passed} passed, {failed} failed"
    return text + (f", {skipped} skipped" if skipped else "")


totals = [0, 0, 0]
missing = []
for arg in sys.argv[1:]:
    label, _, path = arg.rpartition("=")
    try:
        counts = count(path)
    except FileNotFoundError:
        missing.append(path)
        print(f"{label or path}: no test log (the run did not happen)")
        continue
    totals = [a + b for a, b in zip(totals, counts)]
    if len(sys.argv) > 2:
        print(f"{label or path}: {line(*counts)}")
print(line(*totals))
sys.exit(1 if totals[1] or totals[0] == 0 or missing else 0)
