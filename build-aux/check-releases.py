#!/usr/bin/python3
# check-releases.py — the AppStream releases are CHANGELOG.md's releases
#
# Every "## [X.Y.Z] - YYYY-MM-DD" section of CHANGELOG.md has a
# <release version="X.Y.Z" date="YYYY-MM-DD"> in the metainfo and the other
# way round, in the same order (newest first), and the newest is the
# version meson builds.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import re
import sys
import xml.etree.ElementTree as ET

changelog, metainfo, version = sys.argv[1:4]

with open(changelog, encoding="utf-8") as f:
    text = f.read()
in_changelog = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})\s*$", text, re.M)
headings = re.findall(r"^## .*$", text, re.M)
malformed = [h for h in headings if h != "## [Unreleased]" and not re.match(r"^## \[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$", h)]

root = ET.parse(metainfo).getroot()
in_metainfo = [(r.get("version"), r.get("date")) for r in root.iter("release")]

problems = []
for heading in malformed:
    problems.append(f"CHANGELOG.md: heading {heading!r} is not '## [X.Y.Z] - YYYY-MM-DD'")
if in_changelog != in_metainfo:
    problems.append(f"CHANGELOG.md has releases {in_changelog}, the metainfo {in_metainfo}")
if not in_changelog:
    problems.append("CHANGELOG.md has no release")
elif in_changelog[0][0] != version:
    problems.append(f"the newest release is {in_changelog[0][0]} but meson builds version {version}")

for problem in problems:
    print(problem)
if not problems:
    print(f"{len(in_changelog)} release(s) match: " + ", ".join(f"{v} ({d})" for v, d in in_changelog))
sys.exit(1 if problems else 0)
