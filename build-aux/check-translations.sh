#!/usr/bin/env bash
# check-translations.sh — every shipped translation is complete and valid
#
# Extracts the strings of today's sources (xgettext with the same keywords
# as meson's glib preset), merges each po/LL.po into them without fuzzy
# matching, and fails on any string left untranslated or fuzzy, and on any
# msgfmt --check error (format strings that do not match, for one).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

top=${1:?usage: check-translations.sh SOURCE_ROOT}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

xgettext --package-name=mj-archiver --from-code=UTF-8 --add-comments \
    --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
    --keyword=g_dngettext:2,3 --flag=N_:1:pass-c-format \
    --flag=g_strdup_printf:1:c-format --flag=g_printerr:1:c-format \
    --directory="$top" --files-from="$top/po/POTFILES.in" --output="$work/template.pot"

failed=0
count=0
while read -r lang; do
    [[ -z "$lang" || "$lang" == \#* ]] && continue
    count=$((count + 1))
    msgmerge --quiet --no-fuzzy-matching "$top/po/$lang.po" "$work/template.pot" --output-file="$work/$lang.po"
    if ! msgfmt --check --output-file=/dev/null "$work/$lang.po"; then
        echo "po/$lang.po: msgfmt --check failed"
        failed=1
    fi
    # Each msgattrib output carries the header entry (msgid "") once.
    untranslated=$(msgattrib --untranslated --no-obsolete --no-wrap "$work/$lang.po" | grep '^msgid ' | grep -vc '^msgid ""$' || true)
    fuzzy=$(msgattrib --only-fuzzy --no-obsolete --no-wrap "$work/$lang.po" | grep '^msgid ' | grep -vc '^msgid ""$' || true)
    if [[ "$untranslated" -gt 0 || "$fuzzy" -gt 0 ]]; then
        echo "po/$lang.po: $untranslated untranslated and $fuzzy fuzzy strings (run: meson compile -C _build mj-archiver-update-po):"
        msgattrib --untranslated --no-obsolete --no-wrap "$work/$lang.po" | grep '^msgid ' | grep -v '^msgid ""$' | head -20
        failed=1
    else
        echo "po/$lang.po: complete ($(msgfmt --statistics --output-file=/dev/null "$work/$lang.po" 2>&1))"
    fi
done < "$top/po/LINGUAS"

if [[ $count -eq 0 ]]; then
    echo "po/LINGUAS lists no translation"
    exit 1
fi
exit $failed
