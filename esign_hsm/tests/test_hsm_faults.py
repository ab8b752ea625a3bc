import logging
import os

from pkcs11 import Attribute

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.esign_hsm.testing import pdf_checks

from .common import PIN, PIN_ENV, HsmCase


@tagged('post_install', '-at_install')
class TestHsmFaults(HsmCase):
    """Each HSM fault gives a clear message, changes nothing, and leaves no PIN in any log."""

    def setUp(self):
        super().setUp()
        self.key = self._certified_hsm_key()
        self.pdf = pdf_checks.one_page_pdf('fault test')

    def _snapshot(self):
        self.env.invalidate_all()
        keys = self.env['esign.witness.key'].search([('company_id', '=', self.company.id)])
        return ([(key.id, key.state) for key in keys], self.env['esign.vault.blob'].search_count([]),
                self.company.phone)

    def _sign_and_store(self):
        """What a signing pipeline does: change the database, sign, store the result."""
        with self.custody._witness_signer(self.company) as signer:
            self.company.phone = '+81 3 0000 0000'
            self.env['esign.vault.blob']._store(pdf_checks.sign_pdf(signer, self.pdf), 'signed.pdf')

    def assertFault(self, message, action=None):
        """action fails with a UserError containing message; nothing changed; the PIN is in no log line."""
        before = self._snapshot()
        with self.assertLogs(level=logging.DEBUG) as logs:
            with self.assertRaises(UserError) as error:
                (action or self._sign_and_store)()
        self.assertIn(message, str(error.exception))
        self.assertNotIn(PIN, str(error.exception))
        self.assertNotIn(PIN, '\n'.join(logs.output))
        self.assertEqual(self._snapshot(), before)
        return error.exception

    def test_it_works_before_any_fault(self):
        before = self.env['esign.vault.blob'].search_count([])
        self._sign_and_store()
        self.assertEqual(self.env['esign.vault.blob'].search_count([]), before + 1)

    def test_wrong_pin(self):
        os.environ[PIN_ENV] = '0000-not-the-pin'
        self.addCleanup(os.environ.__setitem__, PIN_ENV, PIN)
        self.assertFault(f'The HSM token "{self.token}" refused the PIN')

    def test_pin_missing(self):
        del os.environ[PIN_ENV]
        self.addCleanup(os.environ.__setitem__, PIN_ENV, PIN)
        self.assertFault(f'No PIN is available for the HSM token "{self.token}"')

    def test_pin_from_a_file(self):
        path = os.path.join(self.hsm.directory, 'pin')
        with open(path, 'w', encoding='utf-8') as pin_file:
            pin_file.write(PIN + '\n')
        self.company.write({'esign_pkcs11_pin_source': 'file', 'esign_pkcs11_pin_file': path})
        self._sign_and_store()
        os.remove(path)
        self.assertFault('No PIN is available')

    def test_missing_module(self):
        self.company.esign_pkcs11_module = '/usr/lib/softhsm/libsofthsm2-missing.so'
        self.assertFault('No PKCS#11 module was found at "/usr/lib/softhsm/libsofthsm2-missing.so"')

    def test_module_outside_the_allowed_directories(self):
        self.company.esign_pkcs11_module = '/tmp/libsofthsm2.so'
        self.assertFault('is outside the directories the server allows')

    def test_absent_token(self):
        self.hsm.delete_token(self.token)
        self.addCleanup(self.hsm.init_token, self.token, PIN)  # for the next tests
        self.assertFault(f'The HSM token "{self.token}" is not available')

    def test_key_label_not_found(self):
        label = self.key.pkcs11_key_label
        with self.custody._hsm_session(self.company, rw=True) as session:  # someone deletes it on the HSM
            for key_object in list(session.get_objects({Attribute.LABEL: label})):
                key_object.destroy()
        self.assertFault(f'No key labelled "{label}" was found in the HSM token "{self.token}"')

    def test_hsm_failing_in_the_middle_of_signing(self):
        def token_removed_mid_signing():
            with self.custody._witness_signer(self.company) as signer:
                self.company.phone = '+81 3 0000 0000'  # a change made before the failure: rolled back
                self.hsm.delete_token(self.token)
                self.addCleanup(self.hsm.init_token, self.token, PIN)  # for the next tests
                self.env['esign.vault.blob']._store(pdf_checks.sign_pdf(signer, self.pdf), 'signed.pdf')
        self.assertFault('The HSM failed during the operation', token_removed_mid_signing)

    def test_message_in_japanese(self):
        self.env['res.lang']._activate_lang('ja_JP')
        os.environ[PIN_ENV] = '0000-not-the-pin'
        self.addCleanup(os.environ.__setitem__, PIN_ENV, PIN)
        self.custody = self.custody.with_context(lang='ja_JP')
        self.assertFault(f'HSM トークン「{self.token}」が PIN を拒否しました')
