import datetime

import pytz
from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from ..engine.jst import JST, jst_today
from .common import EsignCase


@tagged('post_install', '-at_install')
class TestEnvelopeCrons(EsignCase):
    """Reminders, expiry and the retry of signatures that waited for the TSA, with time travel."""

    def test_reminders_follow_the_interval_from_settings(self):
        self.env['ir.config_parameter'].sudo().set_param('esign_municipal.reminder_interval_days', 3)
        envelope = self.create_envelope(documents={'Contract': 1}, expiry_date=jst_today() + datetime.timedelta(days=30))
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        start = fields.Datetime.now()
        with freeze_time(start):
            envelope.with_user(self.officer).action_send()
        Envelope = self.env['esign.envelope']
        with freeze_time(start + datetime.timedelta(days=2, hours=23)):
            Envelope._cron_send_reminders()
        self.assertEqual(len(self.mails_to(contractor)), 1, 'too early for a reminder')
        with freeze_time(start + datetime.timedelta(days=3, minutes=1)):
            Envelope._cron_send_reminders()
            Envelope._cron_send_reminders()  # the hourly cron runs again: no second reminder
        reminders = self.mails_to(contractor)[1:]
        self.assertEqual(len(reminders), 1)
        self.assertEqual(reminders.subject, '[Reminder] [デモ市] Signature request for Outsourcing contract')
        # The reminder's link works, and so does the invitation's.
        first_id, first_token = self.link_token(self.mails_to(contractor)[0])
        second_id, second_token = self.link_token(reminders)
        self.assertEqual(self.find_by_token(first_id, first_token), contractor)
        self.assertEqual(self.find_by_token(second_id, second_token), contractor)
        self.assertFalse(self.mails_to(approver), 'a waiting signer gets no reminder')
        self.assertEqual(contractor.reminder_count, 1)
        with freeze_time(start + datetime.timedelta(days=6, minutes=2)):
            Envelope._cron_send_reminders()
        self.assertEqual(contractor.reminder_count, 2)
        # 0 turns reminders off.
        self.env['ir.config_parameter'].sudo().set_param('esign_municipal.reminder_interval_days', 0)
        with freeze_time(start + datetime.timedelta(days=12)):
            Envelope._cron_send_reminders()
        self.assertEqual(contractor.reminder_count, 2)

    def test_manual_reminder(self):
        envelope = self.create_envelope(documents={'Contract': 1}, mode='parallel')
        envelope.with_user(self.officer).action_send()
        envelope.with_user(self.officer).action_remind()
        for signer in envelope.signer_ids:
            self.assertEqual(len(self.mails_to(signer)), 2)
        self.assertTrue(any('Reminder sent to Taro Yamada' in body for body in envelope.message_ids.mapped('body')))

    def test_expiry_marks_expired_and_tells_the_signers(self):
        today = jst_today()
        envelope = self.create_envelope(documents={'Contract': 1}, mode='parallel',
                                        expiry_date=today + datetime.timedelta(days=7))
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        envelope.with_user(self.officer).action_send()
        approver._complete_signing({}, {})
        _signer_id, token = self.link_token(self.mails_to(contractor)[0])
        Envelope = self.env['esign.envelope']
        # Still valid on the expiry day itself (until midnight in Japan).
        with freeze_time(datetime.datetime.combine(today + datetime.timedelta(days=7), datetime.time(14, 0))):
            Envelope._cron_expire()
            self.assertEqual(envelope.state, 'in_progress')
            self.assertEqual(self.find_by_token(contractor.id, token), contractor)
        # 00:30 JST the day after = 15:30 UTC on the expiry day.
        with freeze_time(datetime.datetime.combine(today + datetime.timedelta(days=7), datetime.time(15, 30))):
            self.assertFalse(self.find_by_token(contractor.id, token),
                             'the link dies with the envelope')
            self.assertEqual(self.env['esign.signer']._esign_resolve_token(contractor.id, token)[1], 'expired')
            Envelope._cron_expire()
        self.assertEqual(envelope.state, 'expired')
        for signer in (contractor, approver):
            self.assertEqual(self.mails_to(signer)[-1].subject, '[デモ市] Outsourcing contract has expired')
        # The old link still says whose it was, so the portal can explain.
        self.assertEqual(self.env['esign.signer']._esign_resolve_token(contractor.id, token),
                         (contractor, 'revoked'))
        self.assertTrue(any('expired' in body for body in envelope.message_ids.mapped('body')))

    def test_download_link_lasts_the_configured_days(self):
        self.env['ir.config_parameter'].sudo().set_param('esign_municipal.download_validity_days', 14)
        envelope = self.create_envelope(documents={'Contract': 1}, mode='parallel')
        envelope.with_user(self.officer).action_send()
        start = fields.Datetime.now()
        with freeze_time(start):
            for signer in envelope.signer_ids:
                signer._complete_signing({}, {})
        contractor = envelope.signer_ids.sorted('signing_order')[0]
        _id, token = self.link_token(self.mails_to(contractor)[-1], 'download')
        Signer = self.env['esign.signer']
        with freeze_time(start + datetime.timedelta(days=13, hours=23)):
            self.assertEqual(Signer._esign_resolve_token(contractor.id, token, 'download'), (contractor, 'valid'))
        with freeze_time(start + datetime.timedelta(days=14, minutes=1)):
            self.assertEqual(Signer._esign_resolve_token(contractor.id, token, 'download'), (contractor, 'expired'))

    def test_signature_waits_for_the_tsa_and_the_cron_applies_it(self):
        envelope = self.create_envelope(documents={'Contract': 1, 'Annex': 1})
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        envelope.with_user(self.officer).action_send()
        prepared = {document: document._read_pdf('current') for document in envelope.document_ids}
        self.tsa_server.fault = 'down'
        self.assertFalse(contractor._complete_signing({}, {'ip': '198.51.100.1', 'auth_method': 'email_link'}))
        self.assertEqual(contractor.state, 'pending', 'the approval is recorded')
        self.assertTrue(contractor.signed_at)
        for document, data in prepared.items():
            self.assertEqual(document._read_pdf('current'), data, 'no document was half-signed')
        self.assertEqual(approver.state, 'waiting')
        # Idempotent while pending.
        self.assertFalse(contractor._complete_signing({}, {}))
        # The TSA is still down at the next run: nothing changes.
        self.env['esign.envelope']._cron_retry_pending()
        self.assertEqual(contractor.state, 'pending')
        self.tsa_server.fault = None
        self.env['esign.envelope']._cron_retry_pending()
        self.assertEqual(contractor.state, 'signed')
        self.assertEqual(approver.state, 'invited')
        for document in envelope.document_ids:
            reader = self.assert_signed(document._read_pdf('current'), [f'FIELD_{envelope.number}_{contractor.id}'])
            # The reason names the time of the approval, not of the retry.
            approved = pytz.utc.localize(contractor.signed_at).astimezone(JST).strftime('%Y-%m-%d %H:%M:%S')
            self.assertIn(approved, str(reader.embedded_regular_signatures[0].sig_object['/Reason']))

    def test_final_timestamp_waits_for_the_tsa(self):
        envelope = self.create_envelope(documents={'Contract': 1}, mode='parallel')
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        envelope.with_user(self.officer).action_send()
        contractor._complete_signing({}, {})
        approver._complete_signing({}, {})
        self.assertEqual(envelope.state, 'completed')

        second = self.create_envelope(documents={'Contract': 1}, mode='parallel')
        first_signer, last_signer = second.signer_ids.sorted('signing_order')
        second.with_user(self.officer).action_send()
        first_signer._complete_signing({}, {})
        # The TSA answers for the signature but is gone for the final document timestamp.
        original = type(second)._esign_finalize

        def finalize_while_down(record):
            self.tsa_server.fault = 'down'
            try:
                return original(record)
            finally:
                self.tsa_server.fault = None
        self.patch(type(second), '_esign_finalize', finalize_while_down)
        last_signer._complete_signing({}, {})
        self.assertEqual(last_signer.state, 'signed')
        self.assertEqual(second.state, 'in_progress')
        self.assertTrue(second.finalize_pending)
        self.assertEqual(len(self.mails_to(last_signer)), 1, 'no completion mail before the final timestamp')
        self.patch(type(second), '_esign_finalize', original)
        self.env['esign.envelope']._cron_retry_pending()
        self.assertEqual(second.state, 'completed')
        self.assertFalse(second.finalize_pending)
        self.assert_signed(second.document_ids._read_pdf('current'), [
            f'FIELD_{second.number}_{first_signer.id}', f'FIELD_{second.number}_{last_signer.id}'], doc_timestamps=1)
        self.assertEqual(self.mails_to(last_signer)[-1].subject, 'Electronic signature completed')
