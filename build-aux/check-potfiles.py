#!/usr/bin/python3
# check-potfiles.py — every file with translatable strings is in po/POTFILES.in
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import re
import sys

top = sys.argv[1]
with open(os.path.join(top, "po", "POTFILES.in"), encoding="utf-8") as f:
    listed = {line.strip() for line in f if line.strip() and not line.startswith("#")}

marked = re.compile(r'(\b_\(|\bN_\(|\bngettext \(|\bngettext\(|translatable="yes")')
found = set()
for folder in ("src", "data"):
    for dirpath, _, files in os.walk(os.path.join(top, folder)):
        for name in files:
            if not name.endswith((".c", ".ui", ".in", ".xml")):
                continue
            path = os.path.join(dirpath, name)
            relative = os.path.relpath(path, top)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            if marked.search(text) or relative.endswith((".desktop.in", ".metainfo.xml.in", ".gschema.xml")):
                found.add(relative)

missing = sorted(found - listed)
stale = sorted(p for p in listed if not os.path.exists(os.path.join(top, p)))
for path in missing:
    print(f"not in po/POTFILES.in: {path}")
for path in stale:
    print(f"in po/POTFILES.in but gone: {path}")
print(f"{len(found)} files with translatable strings, {len(missing)} missing, {len(stale)} stale")
sys.exit(1 if missing or stale else 0)
