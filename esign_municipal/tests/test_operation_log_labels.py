import ast
import pathlib

from odoo.tests import tagged
from odoo.tests.common import TransactionCase

ADDON = pathlib.Path(__file__).resolve().parent.parent
LOGGING_CALLS = ('_esign_log', '_esign_record')


def logged_event_codes():
    """Every event code the addon's code passes, as a literal, to the operation log."""
    codes = set()
    for path in ADDON.rglob('*.py'):
        if 'tests' in path.relative_to(ADDON).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in LOGGING_CALLS and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                codes.add(node.args[0].value)
    return codes


@tagged('post_install', '-at_install')
class TestOperationLogLabels(TransactionCase):
    """Each event of the operation log reads as words in English and Japanese, never as its code."""

    def test_every_logged_event_has_a_label(self):
        codes = logged_event_codes()
        self.assertGreaterEqual(codes, {'otp_verified', 'link_refused', 'sign', 'settings'})
        labels = self.env['esign.operation.log']._event_labels()
        self.assertFalse(sorted(codes - set(labels)), 'events without a label')

    def test_the_labels_are_japanese_for_japanese_readers(self):
        self.env['res.lang']._activate_lang('ja_JP')
        self.env['ir.module.module'].search([('name', '=', 'esign_municipal')])._update_translations(['ja_JP'])
        labels = self.env['esign.operation.log'].with_context(lang='ja_JP')._event_labels()
        self.assertEqual(labels['otp_verified'], '認証コード確認')
        self.assertEqual(labels['link_refused'], '署名リンクの拒否（トークン不一致）')
        english = self.env['esign.operation.log'].with_context(lang='en_US')._event_labels()
        self.assertFalse([code for code in labels if labels[code] == english[code]], 'untranslated labels')
