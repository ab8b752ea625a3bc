from odoo.tests import tagged

from odoo.addons.esign_hsm.engine import pkcs11_token
from odoo.addons.esign_hsm.tests.common import HsmCase

from .common import EsignCase

DOCUMENTS = {'Contract': 2, 'Specification': 1, 'Cover letter': 1}


@tagged('post_install', '-at_install')
class TestHsmCompletion(EsignCase, HsmCase):
    """The key-encryption key in the HSM (SoftHSM2): a signature completion, with the final
    timestamps and the archiving, logs in to the HSM once, however many documents it reads and writes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.esign_pkcs11_kek_label = False
        cls.env['esign.key.custody']._generate_hsm_kek(cls.company)

    def _logins(self):
        return pkcs11_token.session_counts()['logins']

    def _complete(self):
        envelope = self.create_envelope(signers=[(self.contractor, 'contractor', 1)], documents=DOCUMENTS)
        before = self._logins()
        envelope.with_user(self.officer).action_send()
        self.assertEqual(self._logins() - before, 1, 'sending: one login for every document read and written')
        self.assertTrue(all(blob.kek_ref.startswith(f'pkcs11:{self.token}/esign-kek#')
                            for blob in envelope.document_ids.sudo().current_blob_id))
        contractor = envelope.signer_ids
        before = self._logins()
        self.assertTrue(contractor._complete_signing({}, {'auth_method': 'email_link'}))
        logins = self._logins() - before
        self.assertEqual(envelope.state, 'completed')
        self.assertTrue(envelope.sudo().audit_certificate_blob_id.kek_ref.startswith(f'pkcs11:{self.token}/'))
        self.assertEqual(pkcs11_token.session_counts()['open_logins'], 0, 'the session is closed afterwards')
        self.assertEqual(len(envelope.document_ids), 3)
        for document in envelope.document_ids:
            self.assert_signed(document._read_pdf('current'), [f'FIELD_{envelope.number}_{contractor.id}'],
                               doc_timestamps=1)
        return logins

    def test_one_login_per_completion(self):
        self.assertEqual(self._complete(), 1)

    def test_one_login_with_the_witness_key_in_the_same_token(self):
        key = self._certified_hsm_key()
        self.assertEqual((key.backend, key.state), ('pkcs11', 'active'))
        self.assertEqual(self._complete(), 1)
