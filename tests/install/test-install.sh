#!/usr/bin/env bash
# test-install.sh — "meson install" into a temporary prefix holds everything
# a desktop needs, and the installed programs run from there.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
failed=0
n=0

check() {
    n=$((n + 1))
    if eval "$2" >/dev/null 2>&1; then
        echo "ok $n $1"
    else
        echo "not ok $n $1"
        failed=1
    fi
}

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
prefix=$(meson introspect "$build" --buildoptions | /usr/bin/python3 -c \
    'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
root="$dest$prefix"
app=io.github.mjarchiver.Archiver

check "the CLI runs from the prefix" "'$root/bin/mj-archiver-cli' --version | grep -q '^mj-archiver-cli '"
check "the app answers --version from the prefix" "'$root/bin/mj-archiver' --version | grep -q 'Midjourney Archiver'"
check "the CLI's --help lists its exit codes" "'$root/bin/mj-archiver-cli' --help | grep -q 'archive I/O error'"
check "desktop file" "desktop-file-validate '$root/share/applications/$app.desktop'"
check "the desktop file launches mj-archiver" "grep -q '^Exec=mj-archiver %U' '$root/share/applications/$app.desktop'"
check "metainfo" "test -s '$root/share/metainfo/$app.metainfo.xml'"
check "GSettings schema" "glib-compile-schemas --strict --dry-run '$root/share/glib-2.0/schemas'"
check "D-Bus service for activation" "grep -q 'mj-archiver --gapplication-service' '$root/share/dbus-1/services/$app.service'"
check "scalable app icon" "test -s '$root/share/icons/hicolor/scalable/apps/$app.svg'"
check "symbolic app icon" "test -s '$root/share/icons/hicolor/symbolic/apps/$app-symbolic.svg'"
check "man page" "test -s '$root/share/man/man1/mj-archiver-cli.1'"
check "bash completion" "bash -n '$root/share/bash-completion/completions/mj-archiver-cli'"
check "German translation" "test -s '$root/share/locale/de/LC_MESSAGES/mj-archiver.mo'"
check "the installed CLI speaks German under LANGUAGE=de" \
    "env -u LC_ALL -u LC_MESSAGES LANG=C.UTF-8 LANGUAGE=de MJA_LOCALEDIR='$root/share/locale' '$root/bin/mj-archiver-cli' --help | grep -q '^Befehle:'"
check "the fake Midjourney is not installed (built for tests, demos and people only)" \
    "test -z \"\$(find '$root' -name 'mja-fake*' -print -quit)\""
check "systemd timer example" "test -s '$root/share/doc/mj-archiver/systemd/mj-archiver-sync.timer'"

echo "1..$n"
exit $failed
