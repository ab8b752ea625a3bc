"""The emailed one-time code (認証コード): format, storage, expiry, lockout and sending limits."""
import datetime
import re

from odoo import fields
from odoo.tests import tagged

from .common import EsignCase

HERE = {'ip': '198.51.100.20', 'auth_method': 'email_link'}


@tagged('post_install', '-at_install')
class TestPortalOtp(EsignCase):

    def setUp(self):
        super().setUp()
        self.envelope = self.create_envelope(documents={'Contract': 1}, mode='parallel')
        self.envelope.with_user(self.officer).action_send()
        self.signer = self.envelope.signer_ids.sorted('signing_order')[0]

    def code_of(self, signer):
        mail = self.mails_to(signer).filtered(lambda m: 'letter-spacing: 6px' in (m.body_html or ''))[-1]
        return re.search(r'letter-spacing: 6px;">(\d+)</p>', mail.body_html).group(1)

    def age(self, record, **delta):
        """Time travel for one code: it was created (and expires) earlier."""
        self.env.cr.execute('UPDATE esign_signer_otp SET create_date = create_date - %s, '
                            'expires_at = expires_at - %s WHERE id = %s',
                            [datetime.timedelta(**delta), datetime.timedelta(**delta), record.id])
        record.invalidate_recordset()

    def test_six_digits_mailed_and_stored_only_as_a_keyed_hash(self):
        before = fields.Datetime.now()
        self.assertEqual(self.signer._esign_otp_send(HERE), 'sent')
        after = fields.Datetime.now()
        code = self.code_of(self.signer)
        self.assertRegex(code, r'^\d{6}$')
        record = self.signer._esign_otp_current()
        self.assertEqual(record.state, 'active')
        self.assertNotIn(code, record.code_hash)
        self.env.cr.execute('SELECT * FROM esign_signer_otp WHERE id = %s', [record.id])
        self.assertFalse([value for value in self.env.cr.fetchone() if str(value) == code])
        # valid 10 minutes from sending (create_date is the transaction's
        # start, which a loaded machine puts seconds earlier)
        validity = datetime.timedelta(minutes=10)
        self.assertTrue(before + validity <= record.expires_at <= after + validity)
        self.assertEqual(self.signer._esign_otp_verify(code, HERE), ('ok', 0))
        # once only
        self.assertEqual(self.signer._esign_otp_verify(code, HERE), ('no_code', 0))

    def test_expired_code_is_refused(self):
        self.signer._esign_otp_send(HERE)
        code = self.code_of(self.signer)
        self.age(self.signer._esign_otp_current(), minutes=11)
        self.assertEqual(self.signer._esign_otp_verify(code, HERE), ('expired', 0))

    def test_five_wrong_entries_lock_the_code_even_the_right_one_after(self):
        self.signer._esign_otp_send(HERE)
        code = self.code_of(self.signer)
        wrong = f'{(int(code) + 1) % 10 ** 6:06d}'
        results = [self.signer._esign_otp_verify(wrong, HERE) for _attempt in range(5)]
        self.assertEqual(results, [('wrong', 4), ('wrong', 3), ('wrong', 2), ('wrong', 1), ('locked', 0)])
        self.assertEqual(self.signer._esign_otp_verify(code, HERE), ('locked', 0))
        # A new code can be asked for at once, and works.
        self.assertEqual(self.signer._esign_otp_send(HERE), 'sent')
        self.assertEqual(self.signer._esign_otp_verify(self.code_of(self.signer), HERE), ('ok', 0))

    def test_resending_is_limited_per_signer(self):
        self.assertEqual(self.signer._esign_otp_send(HERE), 'sent')
        self.assertEqual(self.signer._esign_otp_send(HERE), 'too_soon', 'a fresh code is not replaced at once')
        for _resend in range(4):
            self.age(self.signer._esign_otp_current(), minutes=1)
            self.assertEqual(self.signer._esign_otp_send(HERE), 'sent')
        self.age(self.signer._esign_otp_current(), minutes=1)
        self.assertEqual(self.signer._esign_otp_send(HERE), 'limit', 'five codes an hour at most')
        # A new sending of an earlier code replaced it: only the newest works.
        codes = self.env['esign.signer.otp'].search([('signer_id', '=', self.signer.id)])
        self.assertEqual(codes.mapped('state').count('active'), 1)

    def test_wrong_codes_are_limited_per_address(self):
        partners = self.env['res.partner'].create([
            {'name': f'Signer {n}', 'email': f'signer{n}@example.com'} for n in range(7)])
        envelope = self.create_envelope(documents={'Contract': 1}, mode='parallel',
                                        signers=[(partner, 'contractor', 1) for partner in partners])
        envelope.with_user(self.officer).action_send()
        signers = envelope.signer_ids
        for signer in signers[:6]:
            signer._esign_otp_send(HERE)
            for _attempt in range(5):
                signer._esign_otp_verify('000000' if self.code_of(signer) != '000000' else '111111', HERE)
        last = signers[6]
        last._esign_otp_send(HERE)
        self.assertEqual(last._esign_otp_verify(self.code_of(last), HERE), ('limit', 0),
                         'thirty wrong codes from one address: even a right one waits')
        self.assertEqual(last._esign_otp_verify(self.code_of(last), dict(HERE, ip='203.0.113.77')), ('ok', 0))

    def test_code_length_and_attempts_follow_the_settings(self):
        self.env['res.config.settings'].create({'esign_otp_length': 8, 'esign_otp_attempts': 3}).execute()
        self.signer._esign_otp_send(HERE)
        self.assertRegex(self.code_of(self.signer), r'^\d{8}$')
        results = [self.signer._esign_otp_verify('0', HERE)[0] for _attempt in range(3)]
        self.assertEqual(results, ['wrong', 'wrong', 'locked'])

    def test_settings_out_of_bounds_are_refused(self):
        with self.assertRaisesRegex(Exception, 'between 6 and 10'):
            self.env['res.config.settings'].create({'esign_otp_length': 2})

    def test_old_codes_and_counters_are_vacuumed(self):
        self.signer._esign_otp_send(HERE)
        record = self.signer._esign_otp_current()
        self.age(record, days=31)
        self.env['esign.signer.otp']._gc_old_codes()
        self.assertFalse(record.exists())
        throttle = self.env['esign.portal.throttle']
        self.env.cr.execute("UPDATE esign_portal_throttle SET window_start = %s",
                            [fields.Datetime.now() - datetime.timedelta(days=2)])
        throttle._gc_old_windows()
        self.assertFalse(throttle.search_count([]))
