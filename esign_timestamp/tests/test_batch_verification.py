import base64
import datetime

from odoo import fields
from odoo.tests import Form, tagged

from .common import TimestampCase
from .test_esign_tsa import stamp


@tagged('post_install', '-at_install')
class TestBatchVerification(TimestampCase):

    def setUp(self):
        super().setUp()
        self.make_tsa()
        for number in range(3):
            stamp(self.Tsa._get_timestamper(description=f'document {number}'), b'doc %d' % number)
        self.tokens = self.Token.search([], order='id')
        self.assertEqual(len(self.tokens), 3)

    def verify(self, date_from, date_to):
        wizard = Form(self.env['esign.timestamp.verify'])
        wizard.date_from, wizard.date_to = date_from, date_to
        wizard = wizard.save()
        wizard.action_verify()
        return wizard

    def test_period_counts_and_failures(self):
        # Tamper in the database behind the ORM: one token's bytes, one imprint.
        token_bytes = bytearray(base64.b64decode(self.tokens[0].token))
        token_bytes[-10] ^= 0x01  # inside the TSA's signature value
        self.env.cr.execute('UPDATE esign_timestamp_token SET token = %s WHERE id = %s',
                            [base64.b64encode(bytes(token_bytes)), self.tokens[0].id])
        self.env.cr.execute("UPDATE esign_timestamp_token SET imprint = %s WHERE id = %s",
                            ['00' * 32, self.tokens[1].id])
        self.tokens.invalidate_recordset()

        today = fields.Date.context_today(self.tokens)
        wizard = self.verify(today - datetime.timedelta(days=1), today + datetime.timedelta(days=1))
        self.assertEqual((wizard.state, wizard.total_count, wizard.valid_count, wizard.invalid_count),
                         ('done', 3, 1, 2))
        self.assertEqual(wizard.line_ids.token_id, self.tokens[:2])
        problems = dict(zip(wizard.line_ids.mapped('serial'), wizard.line_ids.mapped('error')))
        self.assertIn('does not verify', problems[self.tokens[0].serial])
        self.assertIn('other data', problems[self.tokens[1].serial])
        self.assertEqual(self.tokens.mapped('verification_state'), ['invalid', 'invalid', 'valid'])

    def test_period_without_tokens(self):
        wizard = self.verify(datetime.date(2020, 1, 1), datetime.date(2020, 1, 31))
        self.assertEqual((wizard.total_count, wizard.invalid_count), (0, 0))

    def test_cron_verifies_recent_tokens(self):
        results = self.Token._cron_verify_recent()
        self.assertEqual(set(results), set(self.tokens))
        self.assertTrue(all(error is None for error in results.values()))
        self.assertEqual(set(self.tokens.mapped('verification_state')), {'valid'})
        cron = self.env.ref('esign_timestamp.ir_cron_verify_recent_timestamps')
        self.assertTrue(cron.active)
