import base64

from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.esign_hsm.engine import pki


@tagged('post_install', '-at_install')
class TestDemoPkiInCertificates(TransactionCase):
    """The PKI helper's witness certificate works as an Odoo certificate record."""

    def test_witness_certificate_loads_with_its_encrypted_key(self):
        demo = pki.build_pki()
        password = b'correct horse'
        key = self.env['certificate.key'].create({
            'name': 'witness key',
            'content': base64.b64encode(demo.witness.key_pem(password)),
            'password': password.decode(),
        })
        self.assertFalse(key.loading_error)
        certificate = self.env['certificate.certificate'].create({
            'name': 'witness',
            'content': base64.b64encode(demo.witness.cert_pem),
            'private_key_id': key.id,
        })
        self.assertFalse(certificate.loading_error)
        self.assertTrue(certificate.is_valid)
        self.assertEqual(certificate.subject_common_name, 'Demo Witness Signing')
        self.assertEqual(int(certificate.serial_number), demo.witness.cert.serial_number)
