# mja_fixtures.py — committed fixtures that a script makes, and the check that they still are what it makes
#
# SPDX-License-Identifier: GPL-3.0-or-later


def write_or_check(root, files, check):
    """Writes {relative path: bytes} below @root, or with @check only
    compares; returns the relative paths that differ or are missing."""
    import os

    differ = []
    for relative, data in sorted(files.items()):
        path = os.path.join(root, relative)
        if not check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            continue
        try:
            with open(path, "rb") as f:
                if f.read() != data:
                    differ.append(relative)
        except FileNotFoundError:
            differ.append(relative)
    return differ
