import os
import shutil
import tempfile
import uuid

from odoo.tests.common import TransactionCase

from odoo.addons.esign_hsm.testing import pdf_checks, pki, softhsm

PIN = '8207-3316-PIN'  # distinctive, so that the log checks cannot miss it
PIN_ENV = 'ESIGN_TEST_HSM_PIN'
CUSTODY_LOGGER = 'odoo.addons.esign_hsm.models.esign_key_custody'


class HsmCase(TransactionCase):
    """The company's witness key backend is a throw-away SoftHSM2 token (one per test class)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        directory = tempfile.mkdtemp(prefix='esign-softhsm-')
        cls.addClassCleanup(shutil.rmtree, directory, True)
        previous_conf = os.environ.get('SOFTHSM2_CONF')
        cls.addClassCleanup(cls._restore_env, 'SOFTHSM2_CONF', previous_conf)
        cls.addClassCleanup(cls._restore_env, PIN_ENV, None)
        cls.hsm = softhsm.SoftHsm(directory).activate()
        cls.token = cls.hsm.init_token(f'esign-{cls.__name__}'[:32], PIN)
        os.environ[PIN_ENV] = PIN
        cls.company = cls.env.company
        cls.company.write({
            'esign_key_backend': 'pkcs11',
            'esign_pkcs11_module': softhsm.SOFTHSM_MODULE,
            'esign_pkcs11_token_label': cls.token,
            'esign_pkcs11_pin_source': 'env',
            'esign_pkcs11_pin_env': PIN_ENV,
            'esign_pkcs11_key_type': 'rsa_2048',
        })
        cls.pki = pki.build_pki()
        cls.custody = cls.env['esign.key.custody']

    def setUp(self):
        super().setUp()
        # The token outlives each test's rolled-back transaction: every test uses fresh key labels.
        self.company.esign_pkcs11_key_label = f'witness-{uuid.uuid4().hex[:8]}'

    @staticmethod
    def _restore_env(name, value):
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    def _certified_hsm_key(self, label=None):
        """A key generated in the token through Settings, certified by the test CA from its CSR, activated."""
        label = label or self.company.esign_pkcs11_key_label
        self.company.esign_pkcs11_key_label = label
        settings = self.env['res.config.settings'].create({})
        settings.action_esign_generate_hsm_key()
        key = settings.esign_pending_witness_key_id
        self.assertEqual((key.pkcs11_key_label, key.state), (label, 'pending'))
        issued = self.pki.issue_from_csr(key._csr_der())
        key._attach_certificate(issued.cert, [self.pki.issuing_ca.cert, self.pki.root.cert])
        key._activate()
        return key

    def assertSignedPdfValidates(self, pdf, common_name):
        signature, = pdf_checks.assert_pdfsig_verdict(pdf, [self.pki.root.cert], ['Witness'])  # valid, chain trusted
        self.assertEqual(signature.signer, common_name)
        status = pdf_checks.pyhanko_status(pdf, self.pki.root.cert)
        self.assertTrue(status.intact and status.valid and status.trusted, status.pretty_print_details())
