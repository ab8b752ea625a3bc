"""Merge a fresh Odoo term export into an addon's i18n/ja.po.

    odoo-bin -d DB --i18n-export=/tmp/x.po --language=ja_JP --modules=ADDON --stop-after-init
    python scripts/i18n_merge.py /tmp/x.po ADDON/i18n/ja.po

Keeps every existing translation, drops terms the addon no longer has, and
lists the terms still waiting for Japanese (exit code 1 when there are any).
"""
import sys

import polib


def merge(exported_path, ja_path):
    exported = polib.pofile(exported_path)
    try:
        known = {entry.msgid: entry.msgstr for entry in polib.pofile(ja_path) if entry.msgstr}
    except OSError:
        known = {}
    missing = []
    for entry in exported:
        entry.msgstr = known.get(entry.msgid, '') or entry.msgstr
        if not entry.msgstr:
            missing.append(entry.msgid)
    exported.metadata.update({'Language': 'ja', 'Plural-Forms': 'nplurals=1; plural=0;'})
    for header in ('POT-Creation-Date', 'PO-Revision-Date'):
        exported.metadata.pop(header, None)
    exported.save(ja_path)
    return missing


if __name__ == '__main__':
    untranslated = merge(sys.argv[1], sys.argv[2])
    for msgid in untranslated:
        print(f'untranslated: {msgid!r}')
    sys.exit(1 if untranslated else 0)
