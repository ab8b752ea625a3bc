import base64
import re

from cryptography import x509
from cryptography.x509.oid import NameOID
from pkcs11 import Attribute
from pyhanko.sign.pkcs11 import PKCS11Signer

from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.esign_hsm.engine import pkcs11_token
from odoo.addons.esign_hsm.testing import pdf_checks

from .common import CUSTODY_LOGGER, HsmCase


@tagged('post_install', '-at_install')
class TestHsmWitnessKey(HsmCase):
    """Settings: generate the key in the token, download its CSR, import the certificate, sign through the HSM."""

    def test_key_generated_in_the_hsm_signs_pdfs_that_validate(self):
        self.company.write({'esign_pkcs11_key_label': 'witness-2025', 'name': 'デモ市', 'city': '千代田区'})
        demo_key = self.custody._active_witness_key(self.company)
        self.env['res.config.settings'].create({}).action_esign_generate_hsm_key()
        settings = self.env['res.config.settings'].create({})
        key = settings.esign_pending_witness_key_id
        self.assertEqual((key.backend, key.state, key.pkcs11_token_label), ('pkcs11', 'pending', self.token))

        action = settings.action_esign_download_csr()
        attachment = self.env['ir.attachment'].browse(int(re.search(r'/web/content/(\d+)', action['url'])[1]))
        request = x509.load_pem_x509_csr(attachment.raw)
        self.assertTrue(request.is_signature_valid)
        self.assertEqual(request.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value, 'デモ市')
        self.assertEqual(request.subject.get_attributes_for_oid(NameOID.LOCALITY_NAME)[0].value, '千代田区')

        issued = self.pki.issue_from_csr(attachment.raw)
        bundle = b''.join(cert.cert_pem for cert in (issued, self.pki.issuing_ca, self.pki.root))
        form = Form(self.env['esign.certificate.import'].with_context(default_witness_key_id=key.id))
        form.certificate_file = base64.b64encode(bundle)
        form.save().action_import()
        self.assertEqual(key.state, 'active')
        self.assertEqual(demo_key.state, 'retired')
        self.assertEqual(len(key.chain_certificate_ids), 2)

        with self.custody._witness_signer(self.company) as signer:
            self.assertIsInstance(signer, PKCS11Signer)
            pdf = pdf_checks.sign_pdf(signer, pdf_checks.one_page_pdf('signed inside the HSM'))
        self.assertSignedPdfValidates(pdf, 'デモ市')

        with self.custody._hsm_session(self.company) as session:
            private = pkcs11_token.find_private_key(session, 'witness-2025')
            self.assertTrue(private[Attribute.SENSITIVE] and private[Attribute.NEVER_EXTRACTABLE])
            self.assertFalse(private[Attribute.EXTRACTABLE])

        message = settings.action_esign_test_hsm()['params']['message']
        self.assertIn('witness-2025', message)
        self.assertIn('the signature verifies', message)

    def test_rotation_keeps_the_old_certificate_for_validation(self):
        first = self._certified_hsm_key(f'{self.company.esign_pkcs11_key_label}-2024')
        first_certificate = first.certificate_id
        second = self._certified_hsm_key(f'{self.company.esign_pkcs11_key_label}-2025')
        self.assertEqual((first.state, second.state), ('retired', 'active'))
        self.assertTrue(first.retired_at and second.activated_at)
        self.assertTrue(first_certificate.exists() and first_certificate.active)
        with self.custody._witness_signer(self.company) as signer:
            self.assertEqual(signer.signing_cert.serial_number, int(second.serial_number))
            self.assertSignedPdfValidates(pdf_checks.sign_pdf(signer, pdf_checks.one_page_pdf('rotated')), self.company.name)
        with self.assertRaisesRegex(UserError, 'kept to validate what it signed'):
            first.unlink()

    @mute_logger(CUSTODY_LOGGER)  # the expected fault is logged as a warning
    def test_certificate_of_another_key_is_refused(self):
        self.env['res.config.settings'].create({}).action_esign_generate_hsm_key()
        key = self.env['res.config.settings'].create({}).esign_pending_witness_key_id
        form = Form(self.env['esign.certificate.import'].with_context(default_witness_key_id=key.id))
        form.certificate_file = base64.b64encode(self.pki.witness.cert_pem)  # a software key's certificate
        with self.assertRaisesRegex(UserError, 'was not issued for the witness key'):
            form.save().action_import()
        self.assertEqual(key.state, 'pending')
        self.assertFalse(key.certificate_id)
        with self.assertRaisesRegex(UserError, 'does not contain a readable certificate'):
            form.certificate_file = base64.b64encode(b'not a certificate')
            form.save().action_import()

    def test_demo_ca_certifies_a_key_generated_in_the_hsm(self):
        self.env['esign.demo.pki']._install_demo_pki(self.company, self.pki)
        self.env['res.config.settings'].create({}).action_esign_generate_hsm_key()
        settings = self.env['res.config.settings'].create({})
        self.assertTrue(settings.esign_has_demo_pki)
        key = settings.esign_pending_witness_key_id
        settings.action_esign_issue_with_demo_ca()
        self.assertEqual(key.state, 'ready')
        key.action_activate()
        with self.custody._witness_signer(self.company) as signer:
            self.assertSignedPdfValidates(pdf_checks.sign_pdf(signer, pdf_checks.one_page_pdf('demo CA')),
                                          self.company.name)
        # The demo OCSP responder answers for the certificate issued later.
        loaded = self.env['esign.demo.pki']._load_demo_pki(self.company)
        self.assertIn(int(key.serial_number), [issued.cert.serial_number for issued in loaded.extra_issued])

    @mute_logger(CUSTODY_LOGGER)  # the expected fault is logged as a warning
    def test_hsm_key_encryption_key_wraps_new_documents(self):
        Blob = self.env['esign.vault.blob']
        before = Blob._store(b'%PDF-1.7 stored under the key file', 'before.pdf')
        self.env['res.config.settings'].create({'esign_pkcs11_kek_label': 'vault-kek'}).action_esign_generate_hsm_kek()
        self.assertEqual(self.company.esign_pkcs11_kek_label, 'vault-kek')
        after = Blob._store(b'%PDF-1.7 stored under the HSM', 'after.pdf')
        self.assertTrue(after.kek_ref.startswith(f'pkcs11:{self.token}/vault-kek#'))
        self.assertTrue(before.kek_ref.startswith('file:'))
        self.assertEqual(after._read(), b'%PDF-1.7 stored under the HSM')
        self.assertEqual(before._read(), b'%PDF-1.7 stored under the key file')
        with self.assertRaisesRegex(UserError, 'already holds a key labelled "vault-kek"'):
            self.env['res.config.settings'].create({}).action_esign_generate_hsm_kek()
