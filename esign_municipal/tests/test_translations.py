import os

import polib

from odoo.modules.module import get_module_path
from odoo.tests import tagged
from odoo.tests.common import TransactionCase
from odoo.tools.translate import TranslationModuleReader

OUR_ADDONS = ('esign_timestamp', 'esign_hsm', 'esign_municipal')


@tagged('post_install', '-at_install')
class TestJapaneseTranslations(TransactionCase):
    """Users read Japanese: every term of our addons has a ja translation."""

    def test_every_term_is_translated(self):
        for addon in OUR_ADDONS:
            with self.subTest(addon=addon):
                terms = {
                    source for module, _type, _name, _res_id, source, _value, _comments
                    in TranslationModuleReader(self.env.cr, modules=[addon])
                    if module == addon and source and source.strip()
                }
                po_path = os.path.join(get_module_path(addon), 'i18n', 'ja.po')
                translated = {entry.msgid for entry in polib.pofile(po_path)
                              if entry.msgstr.strip() and not entry.obsolete and 'fuzzy' not in entry.flags}
                missing = sorted(terms - translated)
                self.assertFalse(missing, f'{addon}/i18n/ja.po lacks Japanese for: {missing}')
