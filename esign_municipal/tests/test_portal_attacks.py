"""Attacks on the signing portal, each expected to fail, over real HTTP."""
import secrets
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import config

from .common import pdfsig
from .portal_common import PortalCase

SECURITY_HEADERS = {
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
}


@tagged('post_install', '-at_install')
class TestPortalAttacks(PortalCase):

    def setUp(self):
        super().setUp()
        # English pages: the messages below are asserted in English.
        self.envelope, self.signer, self.approver = self.send_envelope(lang='en_US')
        self.path = self.sign_path(self.signer)
        self.token = self.path.rsplit('/', 1)[1]

    # -- helpers ---------------------------------------------------------------------

    def assert_not_found(self, response):
        self.assertEqual(response.status_code, 404)
        self.assertIn('data-state="link_invalid"', response.text)
        # Nothing about the envelope behind the guessed link.
        self.assertNotIn(self.envelope.number, response.text)
        self.assertNotIn(self.envelope.name, response.text)

    def assert_secure_headers(self, response, page=True):
        for header, value in SECURITY_HEADERS.items():
            self.assertEqual(response.headers.get(header), value, f'{header} on {response.url}')
        csp = response.headers['Content-Security-Policy']
        self.assertIn("frame-ancestors 'none'", csp)
        if page:
            script_src = next(part for part in csp.split(';') if part.strip().startswith('script-src'))
            self.assertNotIn("'unsafe-inline'", script_src)
            self.assertIn("'nonce-", script_src)
            self.assertIn("worker-src 'self'", csp, 'PDF.js runs its worker from this server')
        else:
            self.assertTrue(csp.startswith("default-src 'none'"), csp)

    def signing_page(self):
        response = self.open(self.path)
        self.assertEqual(response.status_code, 200)
        self.assertIn('o_esign_sign', response.text)
        return response

    def complete_data(self, response, values=None):
        data = {f'field_{field_id}': value for field_id, value in (values or self.filled_values()).items()}
        data['csrf_token'] = self.csrf(response)
        return data

    def complete_path(self, signer=None):
        return f'/esign/sign/{(signer or self.signer).id}/complete'

    def signatures(self, document):
        return [s.name for s in pdfsig(document._read_pdf('current'), [self.pki.root.cert])
                if s.kind == 'ETSI.CAdES.detached']

    # -- tokens ----------------------------------------------------------------------

    def test_link_is_exchanged_for_a_session_and_leaves_the_address_bar(self):
        response = self.open(self.path, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response.headers['Location'].rsplit('/esign', 1)[1], f'/sign/{self.signer.id}')
        self.assertNotIn(self.token, response.headers['Location'])
        self.assertIn('HttpOnly', response.headers['Set-Cookie'])
        self.assert_secure_headers(response, page=False)
        page = self.open(response.headers['Location'])
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(self.token, page.text)
        self.assert_secure_headers(page)

    def test_guessed_and_tampered_tokens_are_not_found(self):
        tampered = self.token[:-1] + ('A' if self.token[-1] != 'A' else 'B')
        for token in (secrets.token_urlsafe(32), tampered, self.token.upper(), self.token[:20], 'x' * 500):
            with self.subTest(token=token[:12]):
                self.new_browser()
                self.assert_not_found(self.open(f'/esign/sign/{self.signer.id}/{token}'))
                # and no session grant came with it
                self.assert_not_found(self.open(f'/esign/sign/{self.signer.id}'))

    def test_another_signers_or_another_envelopes_token_is_not_found(self):
        other_envelope, other_signer, _other_approver = self.send_envelope()
        other_token = self.sign_path(other_signer).rsplit('/', 1)[1]
        for signer_id, token in ((self.approver.id, self.token),           # another signer of this envelope
                                 (other_signer.id, self.token),            # a signer of another envelope
                                 (self.signer.id, other_token),            # another envelope's token
                                 (999999, self.token)):                    # nobody
            with self.subTest(signer=signer_id):
                self.new_browser()
                self.assert_not_found(self.open(f'/esign/sign/{signer_id}/{token}'))
                self.assert_not_found(self.open(f'/esign/sign/{signer_id}'))
        # A sign link is not a download link either.
        self.new_browser()
        self.assert_not_found(self.open(f'/esign/download/{self.signer.id}/{self.token}'))
        # One visitor's grant opens only that signer's pages and documents.
        self.new_browser()
        self.signing_page()
        self.assert_not_found(self.open(f'/esign/sign/{other_signer.id}'))
        other_document = other_envelope.document_ids[0]
        self.assert_not_found(self.open(f'/esign/sign/{self.signer.id}/document/{other_document.id}/pdf'))
        self.assert_not_found(self.open(f'/esign/sign/{other_signer.id}/document/{other_document.id}/pdf'))

    def test_reused_token_after_signing_is_not_found(self):
        page = self.signing_page()
        self.assertEqual(self.post(self.complete_path(), self.complete_data(page)).status_code, 303)
        self.assertEqual(self.signer.state, 'signed')
        # The same browser sees the success page ...
        done = self.open(f'/esign/sign/{self.signer.id}')
        self.assertIn('data-state="signed"', done.text)
        # ... but the mailed link is used up, in any browser.
        self.new_browser()
        again = self.open(self.path)
        self.assertEqual(again.status_code, 404)
        self.assertNotIn('o_esign_sign"', again.text)
        self.assert_not_found(self.open(f'/esign/sign/{self.signer.id}'))

    # -- completion requests ----------------------------------------------------------

    def test_replayed_completion_signs_once(self):
        page = self.signing_page()
        data = self.complete_data(page)
        first = self.post(self.complete_path(), data)
        signed_at = self.signer.signed_at
        replay = self.post(self.complete_path(), data)
        self.assertEqual((first.status_code, replay.status_code), (303, 303))
        self.assertEqual(self.signer.signed_at, signed_at)
        for document in self.envelope.document_ids:
            self.assertEqual(self.signatures(document), [f'FIELD_{self.envelope.number}_{self.signer.id}'])
        # The same request from another browser (no grant, no matching CSRF session) changes nothing.
        self.new_browser()
        stolen = self.post(self.complete_path(), data)
        self.assertEqual(stolen.status_code, 400)
        self.assertEqual(self.approver.state, 'invited')

    def test_csrf_is_required_on_every_post(self):
        self.signer.sudo().otp_required = True
        # Browser A's CSRF token ...
        foreign_token = self.csrf(self.open(self.path))
        # ... is worth nothing in browser B, which has its own.
        self.new_browser()
        page = self.open(self.path)
        self.assertIn('o_esign_otp', page.text)
        own_token = self.csrf(page)
        posts = {
            f'/esign/sign/{self.signer.id}/otp/send': {},
            f'/esign/sign/{self.signer.id}/otp/verify': {'code': '123456'},
            self.complete_path(): {f'field_{k}': v for k, v in self.filled_values().items()},
            f'/esign/sign/{self.signer.id}/decline': {'reason': 'no'},
        }
        for path, data in posts.items():
            for csrf in (None, foreign_token, own_token[:-2] + '00'):
                with self.subTest(path=path, csrf=bool(csrf)):
                    body = dict(data, **({'csrf_token': csrf} if csrf else {}))
                    self.assertEqual(self.post(path, body).status_code, 400)
        self.assertFalse(self.otp_mails(self.signer), 'no code was sent')
        self.assertEqual(self.signer.state, 'invited')
        self.assertEqual(self.envelope.state, 'sent')

    def test_oversized_and_malformed_requests_are_refused_and_save_nothing(self):
        page = self.signing_page()
        data = self.complete_data(page)
        text_key = f'field_{self.text_field.id}'
        cases = [
            ('oversized body', dict(data, **{text_key: 'x' * 200_000}), None, 413),
            ('too long', dict(data, **{text_key: 'x' * 201}), 'is too long', 422),
            ('control characters', dict(data, **{text_key: 'a\x00b'}), 'cannot be printed', 422),
            ('not a date', dict(data, **{f'field_{self.date_field.id}': 'next Monday'}), 'must be a date', 422),
            ('missing required', dict(data, **{text_key: ''}), 'is required', 422),
            ('field of another signer', dict(data, field_999999='x'), 'do not belong to you', 422),
            ('not a field id', dict(data, field_abc='x'), 'are not valid', 422),
        ]
        for name, body, message, status in cases:
            with self.subTest(name):
                response = self.post(self.complete_path(), body)
                self.assertEqual(response.status_code, status)
                if message:
                    self.assertIn(message, response.text)
                    self.assertIn('o_esign_error', response.text)
                self.assertEqual(self.signer.state, 'invited')
                self.assertFalse(self.text_field.value)
        # An upload of a file where none is expected, and a broken multipart body.
        upload = self.url_open(self.complete_path(), data={'csrf_token': data['csrf_token']},
                               files={'file': ('big.pdf', b'%PDF-' + b'0' * 300_000, 'application/pdf')},
                               allow_redirects=False)
        self.assertEqual(upload.status_code, 413)
        broken = self.url_open(self.complete_path(), data=b'--x\r\nContent-Disposition: form-data; name=\r\n\r\n',
                               headers={'Content-Type': 'multipart/form-data; boundary=zzz'}, allow_redirects=False)
        self.assertEqual(broken.status_code, 400)
        self.assertEqual(self.signer.state, 'invited')
        for document in self.envelope.document_ids:
            self.assertEqual(self.signatures(document), [])

    def test_html_and_script_typed_by_the_signer_stay_text(self):
        attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
        page = self.signing_page()
        # Sent back with an error: the value is shown escaped in the form.
        bounced = self.post(self.complete_path(), self.complete_data(page, {
            self.text_field.id: attack, self.date_field.id: 'bad', self.second_text_field.id: 'x'}))
        self.assertEqual(bounced.status_code, 422)
        self.assertNotIn('<script>alert(1)', bounced.text)
        self.assertIn('&lt;script&gt;alert(1)&lt;/script&gt;', bounced.text)
        # Signed: the PDF holds exactly the text.
        values = {**self.filled_values(), self.text_field.id: attack}
        self.assertEqual(self.post(self.complete_path(), self.complete_data(bounced, values)).status_code, 303)
        self.assertEqual(self.text_field.value, attack)
        first = self.envelope.document_ids.sorted('sequence')[0]
        pdf_values = self.pdf_field_values(first)
        self.assertEqual(str(pdf_values[self.text_field._esign_pdf_name()]), attack)

    # -- rate limits -------------------------------------------------------------------

    def from_address(self, address):
        return {'X-Forwarded-For': address, 'X-Forwarded-Host': f'127.0.0.1:{self.http_port()}'}

    def test_token_guesses_are_limited_per_address_never_per_signer(self):
        tokens = self.env['esign.access.token'].search_count([('signer_id', '=', self.signer.id)])
        with patch.dict(config.options, {'proxy_mode': True}):
            # Strangers from 35 addresses guess at the contractor's signer id ...
            for number in range(35):
                self.new_browser()
                self.assert_not_found(self.open(f'/esign/sign/{self.signer.id}/{secrets.token_urlsafe(32)}',
                                                headers=self.from_address(f'192.0.2.{number + 1}')))
            # ... and the contractor's emailed link still opens: nobody can lock them out.
            self.new_browser()
            self.assertEqual(self.open(self.path, headers=self.from_address('203.0.113.5'),
                                       allow_redirects=False).status_code, 303)
            # One address guessing gets 20 tries on a route, then 429 for every unknown token ...
            guesser = self.from_address('198.51.100.7')
            for _attempt in range(20):
                self.new_browser()
                self.assertEqual(self.open(f'/esign/sign/{self.approver.id}/{secrets.token_urlsafe(32)}',
                                           headers=guesser).status_code, 404)
            self.new_browser()
            blocked = self.open(f'/esign/sign/{self.signer.id}/{secrets.token_urlsafe(32)}', headers=guesser,
                                allow_redirects=False)
            self.assertEqual(blocked.status_code, 429)
            self.assertIn('data-state="too_many"', blocked.text)
            self.assert_secure_headers(blocked)
            # ... counted per route: the download route has its own allowance ...
            self.assertEqual(self.open(f'/esign/download/{self.approver.id}/{secrets.token_urlsafe(32)}',
                                       headers=guesser).status_code, 404)
            # ... and a real link opens even from there (a contractor behind the same network address).
            self.assertEqual(self.open(self.path, headers=guesser, allow_redirects=False).status_code, 303)
        # Every guess is in the operation log; nothing else changed.
        refused = self.env['esign.operation.log'].search([('event', '=', 'link_refused'),
                                                           ('envelope_ref', '=', self.envelope.id)])
        self.assertEqual(len(refused.filtered(lambda entry: entry.signer_ref == self.signer.id)), 35)
        self.assertEqual(len(refused.filtered(lambda entry: entry.signer_ref == self.approver.id)), 21)
        self.assertEqual(self.env['esign.access.token'].search_count([('signer_id', '=', self.signer.id)]), tokens)
        self.assertEqual((self.signer.state, self.approver.state), ('invited', 'waiting'))

    def test_pdf_of_a_document_needs_the_grant_and_is_inert(self):
        document = self.envelope.document_ids[0]
        pdf_path = f'/esign/sign/{self.signer.id}/document/{document.id}/pdf'
        self.assert_not_found(self.open(pdf_path))
        self.signing_page()
        response = self.open(pdf_path)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Content-Type'], 'application/pdf')
        self.assertTrue(response.content.startswith(b'%PDF-'))
        self.assert_secure_headers(response, page=False)
