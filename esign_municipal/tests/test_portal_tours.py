"""The contractor's journeys in headless Chromium (Odoo tours), end to end:
real HTTP server, real PDF.js, real signatures checked by pdfsig/qpdf/pyHanko."""
import datetime
import json

from odoo import fields
from odoo.tests import tagged

from .portal_common import PortalCase

TOUR_OPTIONS = {'stepDelay': 0, 'keepWatchBrowser': False, 'debug': False}


@tagged('post_install', '-at_install')
class TestPortalTours(PortalCase):

    def start_tour_with(self, path, tour, storage):
        """Starts `tour` at `path` after putting `storage` (what the person reads
        in their mailbox) into the page's sessionStorage."""
        setup = ''.join(f'sessionStorage.setItem({json.dumps(k)}, {json.dumps(v)});' for k, v in storage.items())
        options = dict(TOUR_OPTIONS, startUrl=path)
        self.start_tour(path, tour, code=f'{setup} odoo.startTour({json.dumps(tour)}, {json.dumps(options)})')

    def test_code_then_three_fields_on_two_documents_then_complete(self):
        envelope, signer, approver = self.send_envelope(otp=True)
        with self.logged_events() as events:
            # The person asks for the code and reads it in their mailbox.
            self.assertEqual(signer._esign_otp_send({'ip': '127.0.0.1', 'auth_method': 'email_link'}), 'sent')
            code = self.last_code(signer)
            self.assertRegex(code, r'^\d{6}$')
            self.start_tour_with(self.sign_path(signer), 'esign_portal_sign_with_code', {'esign_tour_code': code})

        self.assertEqual(signer.state, 'signed')
        self.assertEqual(signer.auth_method, 'email_otp')
        self.assertEqual(signer.signed_ip, '127.0.0.1')
        typed = '株式会社デモ建設<img src=x onerror=window.__esignInjected=1><script>window.__esignInjected=1</script>'
        self.assertEqual((self.text_field.value, self.date_field.value, self.second_text_field.value),
                         (typed, '2026-04-01', '山田 太郎'))
        # The witness signature is on every document, and the entered text is text in the PDF.
        for document in envelope.document_ids:
            self.assert_signed(document._read_pdf('current'), [f'FIELD_{envelope.number}_{signer.id}'])
        first = envelope.document_ids.sorted('sequence')[0]
        self.assertEqual(str(self.pdf_field_values(first)[self.text_field._esign_pdf_name()]), typed)
        # The next signer is invited; the operation log saw the whole story.
        self.assertEqual(approver.state, 'invited')
        self.assertTrue(self.mails_to(approver))
        seen = [event['event'] for event in events]
        for expected in ('otp_sent', 'otp_verified', 'view', 'sign', 'invite'):
            self.assertIn(expected, seen)
        viewed = {event['document'] for event in events if event['event'] == 'view' and event['document']}
        self.assertLessEqual(set(envelope.document_ids.sorted('sequence')[:2].ids), viewed,
                             'each document shown in the viewer is logged as viewed')

    def test_decline_on_a_phone_in_english(self):
        self.browser_size = '390x844'
        envelope, signer, approver = self.send_envelope(lang='en_US')
        self.start_tour(self.sign_path(signer), 'esign_portal_decline')
        self.assertEqual(signer.state, 'declined')
        self.assertEqual(envelope.state, 'declined')
        self.assertEqual(signer.decline_reason, 'The amount is wrong <b>please fix</b>')
        # The sender reads the reason as text, never as markup.
        story = ' '.join(envelope.message_ids.mapped('body'))
        self.assertIn('&lt;b&gt;please fix&lt;/b&gt;', story)
        self.assertNotIn('<b>please fix</b>', story)

    def test_five_wrong_codes_lock_the_code(self):
        envelope, signer, _approver = self.send_envelope(otp=True)
        with self.logged_events() as events:
            signer._esign_otp_send({'ip': '127.0.0.1', 'auth_method': 'email_link'})
            code = self.last_code(signer)
            wrong = f'{(int(code) + 1) % 10 ** 6:06d}'
            self.start_tour_with(self.sign_path(signer), 'esign_portal_code_lockout',
                                 {'esign_tour_wrong_code': wrong})
        codes = self.env['esign.signer.otp'].search([('signer_id', '=', signer.id)], order='id')
        self.assertEqual(codes.mapped('state'), ['locked', 'active'])
        self.assertEqual(codes[0].attempts, 5)
        self.assertEqual(len(self.otp_mails(signer)), 2, 'the locked-out signer got a new code')
        seen = [event['event'] for event in events]
        self.assertEqual(seen.count('otp_failed'), 5)
        self.assertEqual(seen.count('otp_locked'), 1)
        self.assertEqual(seen.count('otp_sent'), 2)
        self.assertEqual(signer.state, 'invited', 'nothing was signed')

    def test_expired_envelope(self):
        envelope, signer, _approver = self.send_envelope()
        path = self.sign_path(signer)
        # Time travel: the expiry date passed, and the expiry cron ran.
        envelope.sudo().write({'expiry_date': fields.Date.today() - datetime.timedelta(days=2)})
        self.env['esign.envelope']._cron_expire()
        self.assertEqual(envelope.state, 'expired')
        self.start_tour(path, 'esign_portal_expired_envelope')
        self.assertEqual(signer.state, 'invited')

    def test_download_page_on_day_15_is_expired(self):
        envelope, signer, approver = self.send_envelope()
        signer._complete_signing(self.filled_values(), {'ip': '127.0.0.1', 'auth_method': 'email_link'})
        approver._complete_signing({}, {'ip': '127.0.0.1', 'auth_method': 'backoffice'})
        self.assertEqual(envelope.state, 'completed')
        path = self.download_path(signer)
        self.assertEqual(self.open(path).status_code, 200, 'the link works on day 1')
        # Day 15: the 14-day download period is over.
        self.env.cr.execute("""
            UPDATE esign_access_token SET expires_at = expires_at - interval '15 days' WHERE signer_id = %s;
            UPDATE esign_envelope SET completed_at = completed_at - interval '15 days' WHERE id = %s;
        """, [signer.id, envelope.id])
        self.env.invalidate_all()
        self.start_tour(path, 'esign_portal_download_expired')
