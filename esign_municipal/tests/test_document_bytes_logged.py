import base64
import hashlib

from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from .archive_common import ArchiveCase
from .rpc_common import RpcAttackMixin


@tagged('post_install', '-at_install')
class TestDocumentBytesLogged(RpcAttackMixin, HttpCase, ArchiveCase):
    """Every read of a document's bytes is logged, whatever the route: Odoo's
    generic /web/content and RPC reads of the document's file field too, not
    only our download routes. No generic route gives a decrypted archive file."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env['res.company'].create({'name': 'Other Town'})
        cls.intruder = new_test_user(cls.env, 'esign_other_town', groups='esign_municipal.group_esign_user',
                                     company_id=cls.other_company.id, company_ids=[(6, 0, cls.other_company.ids)])

    def setUp(self):
        super().setUp()
        self.envelope = self.create_envelope(documents={'Contract': 1})
        self.document = self.envelope.document_ids
        self.original = self.document._read_pdf('original')

    def downloads(self):
        return self.log_of(event='download', document_ref=self.document.id)

    def test_web_content_and_rpc_reads_are_logged(self):
        self.authenticate('esign_officer', 'esign_officer')
        response = self.url_open(f'/web/content/esign.document/{self.document.id}/pdf_upload?download=true')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(hashlib.sha256(response.content).digest(), hashlib.sha256(self.original).digest())
        entry = self.downloads()
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.user_ref, entry.ip_address, entry.envelope_ref), (self.officer.id, '127.0.0.1',
                                                                                  self.envelope.id))
        self.assertIn('"kind": "original"', entry.details)
        # The same bytes through RPC, as any client may ask for them.
        result, error = self.call_kw('esign.document', 'read', [self.document.ids, ['pdf_upload']])
        self.assertIsNone(error)
        self.assertEqual(base64.b64decode(result[0]['pdf_upload']), self.original)
        self.assertEqual(len(self.downloads()), 2)
        # The form shows the size only: nothing decrypted, nothing logged.
        result, error = self.call_kw('esign.document', 'web_read', [self.document.ids, {'pdf_upload': {},
                                                                                        'name': {}}],
                                     {'context': {'bin_size': True}})
        self.assertIsNone(error)
        self.assertRegex(result[0]['pdf_upload'], r'^[\d.]+ (bytes|Kb|Mb)$')
        self.assertEqual(len(self.downloads()), 2)

    def test_no_route_for_others_and_nothing_logged(self):
        self.authenticate('esign_other_town', 'esign_other_town')
        response = self.url_open(f'/web/content/esign.document/{self.document.id}/pdf_upload')
        self.assertIn(response.status_code, (403, 404))
        self.assertNotIn(self.original[:64], response.content)
        self.assert_rpc_refused('esign.document', 'read', [self.document.ids, ['pdf_upload']],
                                errors=('odoo.exceptions.AccessError',))
        self.assertFalse(self.downloads())

    def test_archive_files_only_as_ciphertext_through_generic_routes(self):
        envelope = self.complete_envelope()
        signed = envelope.document_ids.sudo().current_blob_id
        archived = envelope.contract_ids.document_ids
        plain = archived._read_pdf()
        # An administrator may fetch the vault's attachment: it holds the ciphertext, never the PDF.
        self.authenticate('admin', 'admin')
        response = self.url_open(f'/web/content/{signed.attachment_id.id}?download=true')
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(b'%PDF-', response.content[:1024])
        self.assertNotIn(plain[1024:1088], response.content)
        # The archived document has no file field to ask for.
        for field in ('blob_id', 'datas', 'raw'):
            response = self.url_open(f'/web/content/esign.contract.document/{archived.id}/{field}')
            self.assertNotEqual(response.status_code, 200, field)
