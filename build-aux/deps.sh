#!/usr/bin/env bash
# deps.sh — install with apt-get whatever of the build (and, with --tests,
# the test) dependencies is missing on this Debian 12 machine.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

packages=(
    meson ninja-build pkg-config gcc libc6-dev gettext
    libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev
    libjson-glib-dev libgdk-pixbuf-2.0-dev libsqlite3-dev libsecret-1-dev
    desktop-file-utils appstream shared-mime-info librsvg2-common webp-pixbuf-loader
    dbus dbus-daemon gnome-keyring
    libwebkitgtk-6.0-dev libgexiv2-dev
    libgtk-4-media-gstreamer gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav
)
if [[ "${1:-}" == "--tests" ]]; then
    packages+=(xvfb xauth at-spi2-core python3 python3-pyatspi imagemagick flatpak-builder
               valgrind clang libclang-rt-14-dev exiv2 openssl
               tracker-extract)  # GNOME's desktop search reads the embedded prompt (cli-repair)
fi

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
        missing+=("$pkg")
    fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
fi
echo "Installing: ${missing[*]}"
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
