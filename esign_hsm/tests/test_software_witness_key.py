import base64
import logging
import os
import shutil
import tempfile
from unittest.mock import patch

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from pyhanko.sign.signers import SimpleSigner

from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tests.common import TransactionCase, new_test_user
from odoo.tools import config, mute_logger

from odoo.addons.esign_hsm.engine import vault_crypto
from odoo.addons.esign_hsm.testing import pdf_checks, pki
from odoo.addons.esign_hsm.models import esign_witness_key

from .common import CUSTODY_LOGGER

PASSWORD = 'p12-Pass-5539'


@tagged('post_install', '-at_install')
class TestSoftwareWitnessKey(TransactionCase):
    """The embedded default: the witness key in Odoo's certificate records, sealed under the KEK."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pki = pki.build_pki(organization='Test City', prefix='Test')
        cls.company = cls.env.company
        cls.custody = cls.env['esign.key.custody']

    def _import(self, password=PASSWORD, activate=True):
        form = Form(self.env['esign.pkcs12.import'])
        form.pkcs12_file = base64.b64encode(self.pki.witness.pkcs12(PASSWORD.encode(), chain=self.pki.chain))
        form.password = password
        form.name = 'Witness 2025'
        form.activate = activate
        wizard = form.save()
        wizard.action_import()
        return wizard

    def _rows_as_text(self, table):
        self.env.flush_all()
        self.env.cr.execute(f'SELECT row_to_json(t)::text FROM {table} t')  # noqa: SQL: fixed table names
        return '\n'.join(row[0] for row in self.env.cr.fetchall())

    def test_pkcs12_import_keeps_no_secret_in_clear_and_signs(self):
        previous = self.custody._active_witness_key(self.company)
        with self.assertLogs(level='DEBUG') as logs:
            wizard = self._import()
            key = wizard.witness_key_id
            with self.custody._witness_signer(self.company) as signer:
                self.assertIsInstance(signer, SimpleSigner)
                pdf = pdf_checks.sign_pdf(signer, pdf_checks.one_page_pdf('software witness'))
        self.assertEqual((key.state, key.backend), ('active', 'software'))
        self.assertEqual(previous.state, 'retired')

        sealed = key.certificate_id.private_key_id
        self.assertTrue(sealed.esign_sealed)
        self.assertFalse(sealed.password)
        self.assertFalse(sealed.pem_key)
        self.assertFalse(sealed.loading_error)
        self.assertTrue(base64.b64decode(sealed.content).startswith(b'-----BEGIN ENCRYPTED PRIVATE KEY-----'))
        clear_pem = self.pki.witness.key_pem().decode()
        key_line = clear_pem.splitlines()[5]  # 64 characters of the key's base64 body
        for table in ('esign_pkcs12_import', 'certificate_key', 'certificate_certificate', 'esign_witness_key',
                      'ir_attachment'):
            text = self._rows_as_text(table)
            self.assertNotIn(PASSWORD, text, table)
            self.assertNotIn(key_line, text, table)
        output = '\n'.join(logs.output)
        self.assertNotIn(PASSWORD, output)
        self.assertNotIn(key_line, output)

        signature, = pdf_checks.assert_pdfsig_verdict(pdf, [self.pki.root.cert], ['Witness'])  # valid, chain trusted
        self.assertEqual(signature.signer, 'Test Witness Signing')
        status = pdf_checks.pyhanko_status(pdf, self.pki.root.cert)
        self.assertTrue(status.intact and status.valid and status.trusted, status.pretty_print_details())

        # Odoo's own certificate API still signs with the sealed key.
        signature = base64.b64decode(key.certificate_id._sign(b'odoo message'))
        self.pki.witness.cert.public_key().verify(signature, b'odoo message', padding.PKCS1v15(), hashes.SHA256())

    @mute_logger(CUSTODY_LOGGER)  # the expected fault is logged as a warning
    def test_wrong_password_leaves_nothing_behind(self):
        models = ('esign.witness.key', 'certificate.key')
        counts = [self.env[model].search_count([]) for model in models]
        with self.assertRaisesRegex(UserError, 'the password is wrong'):
            self._import(password='not the password')
        self.assertEqual(counts, [self.env[model].search_count([]) for model in models])

    def test_sealed_key_cannot_be_swapped(self):
        key = self._import(activate=False).witness_key_id
        self.assertEqual(key.state, 'ready')
        sealed = key.certificate_id.private_key_id
        with self.assertRaisesRegex(UserError, 'cannot be changed'):
            sealed.write({'password': 'x'})
        with self.assertRaisesRegex(UserError, 'belongs to a witness key'):
            sealed.unlink()
        key.unlink()  # never signed: may go

    def _assert_kek_faults_are_clear(self):
        """No witness signer without the right KEK file: a missing one and another one each say so."""
        with patch.dict(config.options, {'esign_kek_file': '/nonexistent/esign/kek.key'}):
            with self.assertRaisesRegex(UserError, 'does not exist'):
                with self.custody._witness_signer(self.company):
                    pass
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        other = vault_crypto.generate_kek_file(os.path.join(directory, 'other.key'))
        with patch.dict(config.options, {'esign_kek_file': other}):
            with self.assertRaisesRegex(UserError, 'another key-encryption key'):
                with self.custody._witness_signer(self.company):
                    pass

    @mute_logger(CUSTODY_LOGGER)  # the expected fault is logged as a warning
    def test_missing_kek_file_gives_a_clear_error(self):
        self._assert_kek_faults_are_clear()

    def test_demo_pki_is_stored_and_can_answer_revocation_queries(self):
        demo = self.env['esign.demo.pki']._install_demo_pki(self.company, self.pki)
        self.assertTrue(all(pki.DEMO_LABEL in name for name in (
            demo.name, demo.root_certificate_id.name, demo.tsa_certificate_id.name, demo.witness_key_id.name)))
        self.assertEqual(self.custody._active_witness_key(self.company), demo.witness_key_id)
        loaded = self.env['esign.demo.pki']._load_demo_pki(self.company)
        for role in ('root', 'issuing_ca', 'witness', 'tsa', 'ocsp_responder'):
            original, restored = getattr(self.pki, role), getattr(loaded, role)
            self.assertEqual(original.cert, restored.cert)
            self.assertEqual(original.key.private_numbers(), restored.key.private_numbers())
        crl = x509.load_der_x509_crl(loaded.crl())
        self.assertTrue(crl.is_signature_valid(self.pki.issuing_ca.cert.public_key()))
        request = (x509.ocsp.OCSPRequestBuilder()
                   .add_certificate(self.pki.witness.cert, self.pki.issuing_ca.cert, hashes.SHA256()).build())
        response = x509.ocsp.load_der_ocsp_response(
            loaded.ocsp_response(request.public_bytes(serialization.Encoding.DER)))
        self.assertEqual(response.certificate_status, x509.ocsp.OCSPCertStatus.GOOD)
        # The CA keys are sealed like the witness key: nothing readable in the database.
        self.assertNotIn(self.pki.issuing_ca.key_pem().decode().splitlines()[5],
                         self._rows_as_text('certificate_key') + self._rows_as_text('ir_attachment'))

    def test_any_user_gets_the_witness_signer(self):
        """The signing pipeline runs for a portal signer: _witness_signer is private and needs no access right."""
        self.env['esign.demo.pki']._install_demo_pki(self.company, self.pki)
        portal = new_test_user(self.env, login='witness_portal', groups='base.group_portal')
        with self.custody.with_user(portal)._witness_signer(self.company) as signer:
            self.assertIn('Test Witness Signing', signer.signing_cert.subject.human_friendly)
            pdf_checks.sign_pdf(signer, pdf_checks.one_page_pdf('portal'))

    def test_logs_of_a_signature_hold_no_key_material(self):
        self.env['esign.demo.pki']._install_demo_pki(self.company, self.pki)
        der = self.pki.witness.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption())
        with self.assertLogs(level=logging.DEBUG) as logs:
            with self.custody._witness_signer(self.company) as signer:
                pdf_checks.sign_pdf(signer, pdf_checks.one_page_pdf('logs'))
            logging.getLogger(__name__).debug('signature done')  # at least one line
        output = '\n'.join(logs.output)
        for needle in (self.pki.witness.key_pem().decode().splitlines()[5], der[-48:].hex(),
                       base64.b64encode(der)[100:160].decode()):
            self.assertNotIn(needle, output)

    def test_unsealed_signer_is_kept_until_the_key_changes(self):
        """Each worker unseals the software key once; a rotation is used by the very next signature."""
        self.env['esign.demo.pki']._install_demo_pki(self.company, self.pki)
        with self.custody._witness_signer(self.company) as first:
            pass
        with self.custody._witness_signer(self.company) as again:
            self.assertIs(again, first)
        other = pki.build_pki(organization='Other City', prefix='Other')
        self.env['esign.demo.pki']._install_demo_pki(self.company, other)  # rotation: the new key signs, the old one retires
        with self.custody._witness_signer(self.company) as rotated:
            self.assertIsNot(rotated, first)
            pdf = pdf_checks.sign_pdf(rotated, pdf_checks.one_page_pdf('after rotation'))
        signature, = pdf_checks.assert_pdfsig_verdict(pdf, [other.root.cert], ['Witness'])
        self.assertEqual(signature.signer, 'Other Witness Signing')
        kept = [signer for (db, company), (_stamp, signer) in esign_witness_key._software_signers.items()
                if db == self.env.cr.dbname and company == self.company.id]
        self.assertEqual(kept, [rotated], 'the retired key does not stay unsealed in memory')
        self.custody._active_witness_key(self.company).chain_certificate_ids = False  # any change to the key
        with self.custody._witness_signer(self.company) as changed:
            self.assertIsNot(changed, rotated)
            self.assertFalse(list(changed.cert_registry))

    @mute_logger(CUSTODY_LOGGER)  # the expected faults are logged as warnings
    def test_kept_signer_still_needs_the_right_kek(self):
        """A signer kept by the worker is not handed out once the KEK file is missing or another one."""
        self.env['esign.demo.pki']._install_demo_pki(self.company, self.pki)
        with self.custody._witness_signer(self.company) as first:
            pass
        self._assert_kek_faults_are_clear()
        with self.custody._witness_signer(self.company) as back:
            self.assertIs(back, first)
