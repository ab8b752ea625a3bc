"""A failure on the service's side (key-encryption key, timestamp authority)
shows the signer a plain message and a reference number; the details (file
paths, addresses) stay in the server log."""
import re
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import config

from .signer_security_common import SignerSecurityCase

MISSING_KEK = '/nonexistent/esign-review/kek.key'
PORTAL_LOGGER = 'odoo.addons.esign_municipal.controllers.portal_base'
REFERENCE_RE = re.compile(r'\b([0-9A-F]{8})\b')


@tagged('post_install', '-at_install')
class TestPortalServiceErrors(SignerSecurityCase):

    def setUp(self):
        super().setUp()
        self.envelope, self.signer, self.approver_signer = self.send_envelope(lang='en_US')
        self.path = self.sign_path(self.signer)

    def complete(self):
        page = self.open(self.path)
        self.assertIn('o_esign_sign', page.text)
        data = {f'field_{k}': v for k, v in self.filled_values().items()}
        return self.post(f'/esign/sign/{self.signer.id}/complete', dict(data, csrf_token=self.csrf(page)))

    def assert_reference_only(self, response, logged, secret_detail, status=503):
        """The answer holds a reference but not `secret_detail`; the server log holds both."""
        self.assertEqual(response.status_code, status)
        self.assertNotIn(secret_detail, response.text)
        self.assertNotIn('Traceback', response.text)
        reference = re.search(r'(?:reference: |o_esign_reference.*?<strong>)([0-9A-F]{8})', response.text, re.S)
        self.assertTrue(reference, 'no reference on the page')
        reference = reference.group(1)
        lines = [line for line in logged.output if reference in line]
        self.assertEqual(len(lines), 1, logged.output)
        self.assertIn(secret_detail, lines[0])
        entry = self.log_events(self.envelope, 'service_error').filtered(lambda e: reference in (e.details or ''))
        self.assertEqual(len(entry), 1)
        self.assertNotIn(secret_detail, entry.details)
        return reference

    def assert_nothing_signed(self):
        self.env.invalidate_all()
        self.assertEqual(self.signer.state, 'invited')
        self.assertFalse(self.log_events(self.envelope, 'sign'))
        self.assertFalse(any(self.text_field.mapped('value')))

    def test_missing_key_encryption_key_while_signing_and_viewing(self):
        document = self.envelope.document_ids[0]
        with patch.dict(config.options, {'esign_kek_file': MISSING_KEK}):
            with self.assertLogs(PORTAL_LOGGER, 'WARNING') as logged:
                signing = self.complete()
            self.assert_reference_only(signing, logged, MISSING_KEK)
            self.assertIn('o_esign_error', signing.text)
            self.assertIn('Nothing was signed', signing.text)
            with self.assertLogs(PORTAL_LOGGER, 'WARNING') as logged:
                viewing = self.open(f'/esign/sign/{self.signer.id}/document/{document.id}/pdf')
            self.assert_reference_only(viewing, logged, MISSING_KEK)
            self.assertIn('data-state="service_error"', viewing.text)
        self.assert_nothing_signed()
        # The key back, the same page signs.
        self.assertEqual(self.complete().status_code, 303)
        self.assertEqual(self.signer.state, 'signed')

    def test_timestamp_authority_refusing(self):
        self.tsa_server.fault = 'reject'
        with self.assertLogs(PORTAL_LOGGER, 'WARNING') as logged:
            response = self.complete()
        self.assert_reference_only(response, logged, self.tsa_server.url.split('//', 1)[1])
        self.assert_nothing_signed()

    def test_timestamp_authority_down_waits_without_details(self):
        self.tsa_server.fault = 'down'
        response = self.complete()
        self.assertEqual(response.status_code, 303)
        page = self.open(response.headers['Location'])
        self.assertIn('data-state="pending"', page.text)
        self.assertNotIn(self.tsa_server.url.split('//', 1)[1], page.text)

    def test_missing_key_encryption_key_on_the_download_page(self):
        self.signer._complete_signing(self.filled_values(), {'auth_method': 'email_link'})
        self.approver_signer._complete_signing({}, {'auth_method': 'backoffice'})
        self.assertEqual(self.envelope.state, 'completed')
        path = self.download_path(self.signer)
        document = self.envelope.document_ids[0]
        self.assertEqual(self.open(path).status_code, 200)
        with patch.dict(config.options, {'esign_kek_file': MISSING_KEK}):
            for url in (f'/esign/download/{self.signer.id}', f'/esign/download/{self.signer.id}/document/{document.id}',
                        f'/esign/download/{self.signer.id}/certificate'):
                with self.subTest(url=url), self.assertLogs(PORTAL_LOGGER, 'WARNING') as logged:
                    self.assert_reference_only(self.open(url), logged, MISSING_KEK)
        self.assertFalse(self.log_events(self.envelope, 'download'))

    def test_the_reference_reads_in_japanese(self):
        self.signer.partner_id.lang = 'ja_JP'
        with patch.dict(config.options, {'esign_kek_file': MISSING_KEK}), self.assertLogs(PORTAL_LOGGER, 'WARNING'):
            response = self.complete()
        self.assertEqual(response.status_code, 503)
        self.assertIn('参照番号', response.text)
        self.assertTrue(REFERENCE_RE.search(response.text))
