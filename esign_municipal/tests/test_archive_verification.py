import base64
import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from odoo.exceptions import UserError
from odoo.tests import tagged

from .archive_common import ArchiveCase
from .common import make_pdf


def add_overlay(data):
    """Page content added after the signatures (what a forger would do)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    page = writer.find_page_for_modification(0)[0].get_object()
    overlay = writer.add_object(generic.StreamObject(stream_data=b'BT /F1 24 Tf 100 700 Td (PAID) Tj ET'))
    page['/Contents'] = generic.ArrayObject([page.raw_get('/Contents'), overlay])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@tagged('post_install', '-at_install')
class TestSignatureVerification(ArchiveCase):
    """署名検証: the report on an uploaded PDF and on every archived contract,
    in the reader's language."""

    def verify_upload(self, data, name='contract.pdf', user=None):
        wizard = self.env['esign.verify.wizard'].with_user(user or self.officer).create(
            {'pdf_file': base64.b64encode(data), 'filename': name})
        wizard.action_verify()
        return wizard

    def test_signed_contract_reads_like_acrobats_panel(self):
        envelope = self.complete_envelope()
        data = envelope.document_ids._read_pdf('current')
        wizard = self.verify_upload(data)
        self.assertEqual(wizard.verdict, 'valid')
        self.assertFalse(wizard.pdf_file, 'the uploaded file is not kept')
        html = str(wizard.report_html)
        for expected in ('Valid: every signature is intact', 'Taro Yamada 様 yamada@construction.example',
                         'Approver Sato', 'Demo Witness Signing', 'Demo Timestamp Authority', '+09:00 JST',
                         'Signed bytes intact', 'Certificate chain trusted', 'LTV data present',
                         'Only later signatures and the filling of their fields since.', 'Document timestamp'):
            self.assertIn(expected, html)
        entry = self.log_of(event='verify_signatures', user_ref=self.officer.id)
        self.assertIn('"verdict": "valid"', entry.details)

    def test_changed_pdf_is_reported_as_changed(self):
        envelope = self.complete_envelope()
        wizard = self.verify_upload(add_overlay(envelope.document_ids._read_pdf('current')))
        self.assertEqual(wizard.verdict, 'modified')
        self.assertIn('Changed after signing', str(wizard.report_html))
        self.assertIn('The content was changed after this signature.', str(wizard.report_html))

    def test_other_files(self):
        self.assertEqual(self.verify_upload(make_pdf('Unsigned')).verdict, 'no_signatures')
        wizard = self.verify_upload(b'GIF89a not a pdf', name='image.gif')
        self.assertEqual(wizard.verdict, 'unreadable')
        self.assertIn('cannot be read as a PDF', str(wizard.report_html))
        with self.assertRaisesRegex(UserError, 'Choose the signed PDF'):
            self.env['esign.verify.wizard'].with_user(self.officer).create({}).action_verify()

    def test_report_on_an_archived_contract_updates_its_state(self):
        contract = self.complete_envelope().contract_ids
        action = contract.with_user(self.auditor).action_verify_signatures()
        wizard = self.env['esign.verify.wizard'].browse(action['res_id'])
        self.assertIn(contract.document_ids.name, str(wizard.report_html))
        self.assertEqual(wizard.verdict, 'valid')
        self.assertEqual((contract.verification_state, contract.document_ids.verification_state), ('valid', 'valid'))
        self.assertTrue(contract.verified_at)

    def test_report_in_japanese(self):
        self.env['res.lang']._activate_lang('ja_JP')
        self.env['ir.module.module']._load_module_terms(['esign_municipal'], ['ja_JP'], overwrite=True)
        envelope = self.complete_envelope()
        data = envelope.document_ids._read_pdf('current')
        wizard = self.env['esign.verify.wizard'].with_user(self.officer).with_context(lang='ja_JP').create(
            {'pdf_file': base64.b64encode(data), 'filename': 'keiyaku.pdf'})
        wizard.action_verify()
        html = str(wizard.report_html)
        for expected in ('有効', '署名者', 'タイムスタンプ', '証明書チェーン', '長期署名'):
            self.assertIn(expected, html)
