#!/usr/bin/python3
# test-summary.py — one line "N passed, N failed[, N skipped]" from meson's
# testlog.json; exits non-zero when any test failed or none ran.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import sys

passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8") as log:
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

summary = f"{passed} passed, {failed} failed"
if skipped:
    summary += f", {skipped} skipped"
print(summary)
sys.exit(1 if failed or passed == 0 else 0)
