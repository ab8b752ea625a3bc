import base64
import io

from pyhanko.pdf_utils.reader import PdfFileReader

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..engine.validation import validate_pdf
from ..engine.jst import jst_date
from .archive_common import ArchiveCase
from .common import make_pdf


@tagged('post_install', '-at_install')
class TestArchiveRegistration(ArchiveCase):
    """Contracts signed elsewhere are registered with a document timestamp;
    archived documents are renewed (延長タイムスタンプ) and verified in batches."""

    def test_register_a_paper_contract(self):
        contract = self.register(files=[('scan-1.pdf', make_pdf('Scanned contract', 2)),
                                        ('annex.pdf', make_pdf('Annex'))])
        self.assertEqual(contract.source, 'registered')
        self.assertRegex(contract.number, r'^R\d{9}$')
        self.assertEqual((contract.name, contract.amount, contract.partner_id), ('Road maintenance 2026', 880000,
                                                                                 self.vendor))
        self.assertEqual(contract.user_id, self.officer)
        self.assertEqual(len(contract.document_ids), 2)
        for document in contract.document_ids:
            self.assertTrue(document.blob_id, 'kept encrypted in the vault')
            data = document._read_pdf()
            self.assertNotEqual(document.blob_id.sudo().attachment_id.raw[:5], b'%PDF-', 'encrypted at rest')
            report = validate_pdf(data, trust_roots=[self.pki.root.asn1])
            self.assertEqual(report.verdict, 'valid', report.to_dict())
            self.assertEqual([s.kind for s in report.signatures], ['document_timestamp'])
            self.assertTrue(document.timestamp_at and document.timestamp_tsa)
            self.assertEqual(len(PdfFileReader(io.BytesIO(data)).embedded_timestamp_signatures), 1)
        # The TSA token is on record with esign_timestamp too.
        tokens = self.env['esign.timestamp.token'].search([('res_model', '=', 'esign.contract.document')])
        self.assertGreaterEqual(len(tokens), 2)
        self.assertTrue(self.log_of(event='register', contract_ref=contract.id))
        # The uploads are gone; only the archive's encrypted copies remain.
        self.assertFalse(self.env['ir.attachment'].search([('res_model', '=', 'esign.contract.register.wizard')]))

    def test_bad_files_are_refused_and_nothing_is_saved(self):
        before = self.env['esign.contract'].search_count([])
        for name, data, message in (('notes.txt', b'hello', 'is not a PDF'),
                                    ('cut.pdf', make_pdf('Cut')[:400], 'incomplete'),
                                    ('empty.pdf', b'', 'empty')):
            with self.subTest(name=name), self.assertRaisesRegex(UserError, message):
                with self.env.cr.savepoint():
                    self.register(files=[(name, data)])
        with self.assertRaisesRegex(UserError, 'Add the PDF'):
            self.env['esign.contract.register.wizard'].with_user(self.officer).create(
                {'name': 'x'}).action_register()
        self.assertEqual(self.env['esign.contract'].search_count([]), before)

    def test_tsa_down_registers_nothing(self):
        before = self.env['esign.contract'].search_count([])
        self.tsa_server.fault = 'down'
        with self.assertRaisesRegex(UserError, 'could not be reached'), self.env.cr.savepoint():
            self.register()
        self.assertEqual(self.env['esign.contract'].search_count([]), before)

    def test_renewal_cron_adds_a_timestamp_before_the_tsa_certificate_expires(self):
        registered = self.register()
        signed_here = self.complete_envelope().contract_ids
        documents = registered.document_ids | signed_here.document_ids
        old = {document: document._read_pdf() for document in documents}
        params = self.env['ir.config_parameter'].sudo()
        params.set_param('esign_municipal.renewal_months', 0)
        self.assertEqual(self.env['esign.contract.document']._cron_renew_timestamps(), (0, 0),
                         'nothing expires within 0 months')
        # The loopback TSA's certificate expires within a few years: renew everything due within 50 years.
        params.set_param('esign_municipal.renewal_months', 600)
        renewed, failed = self.env['esign.contract.document']._cron_renew_timestamps()
        self.assertEqual((renewed >= 2, failed), (True, 0))
        for document in documents:
            data = document._read_pdf()
            self.assertTrue(data.startswith(old[document]), 'a renewal only appends')
            self.assertEqual(document.renewal_count, 1)
            report = validate_pdf(data, trust_roots=[self.pki.root.asn1])
            self.assertEqual(report.verdict, 'valid', report.to_dict())
            self.assertEqual(len([s for s in report.signatures if s.kind == 'document_timestamp']), 2)
            self.assertTrue(self.log_of(event='renew', contract_ref=document.contract_id.id))
        # The envelope's own current version is the renewed file too; pdfsig still validates its signatures
        # and OpenSSL both document timestamps, as for the registered contract's.
        envelope_document = signed_here.document_ids.document_id
        self.assertEqual(envelope_document._read_pdf('current'), signed_here.document_ids._read_pdf())
        envelope = signed_here.envelope_id
        self.assert_signed(envelope_document._read_pdf('current'),
                           [f'FIELD_{envelope.number}_{signer.id}' for signer in envelope.signer_ids], doc_timestamps=2)
        self.assert_signed(registered.document_ids[0]._read_pdf(), [], doc_timestamps=2)

    def test_renewal_failure_is_reported_and_retried(self):
        contract = self.register()
        self.env['ir.config_parameter'].sudo().set_param('esign_municipal.renewal_months', 600)
        self.tsa_server.fault = 'down'
        self.assertEqual(self.env['esign.contract.document']._cron_renew_timestamps(), (0, 1))
        self.assertEqual(contract.document_ids.renewal_count, 0)
        self.tsa_server.fault = None
        self.assertEqual(self.env['esign.contract.document']._cron_renew_timestamps(), (1, 0))

    def test_batch_timestamp_verification_counts_and_failures(self):
        good = self.register()
        swapped = self.register(name='Swapped behind Odoo\'s back')
        envelope = self.complete_envelope()
        archived = envelope.contract_ids.document_ids
        # 1. Someone alters the (encrypted) signed file on the server's disk, outside Odoo.
        attachment = envelope.document_ids.sudo().current_blob_id.attachment_id
        path = attachment._full_path(attachment.store_fname)
        data = bytearray(open(path, 'rb').read())
        data[len(data) // 2] ^= 0x01
        with open(path, 'wb') as handle:
            handle.write(bytes(data))
        # 2. Someone with database access points a record at another, well encrypted, altered PDF.
        original = swapped.document_ids._read_pdf()
        position = original.index(b'stream\n') + 30
        altered = original[:position] + bytes([original[position] ^ 0x01]) + original[position + 1:]
        blob = self.env['esign.vault.blob'].sudo()._store(altered, 'altered.pdf')
        self.env.cr.execute('UPDATE esign_contract_document SET blob_id = %s WHERE id = %s',
                            [blob.id, swapped.document_ids.id])
        self.env.invalidate_all()
        today = jst_date(good.archived_at)  # the archive counts days in Japan
        wizard = self.env['esign.archive.verify.wizard'].with_user(self.auditor).create(
            {'date_from': today, 'date_to': today})
        wizard.action_verify()
        self.assertEqual(wizard.document_count, 3)
        self.assertEqual((wizard.valid_count, wizard.failed_count), (1, 2))
        self.assertGreaterEqual(wizard.timestamp_count, 2)
        problems = {line.document_id: line.problem for line in wizard.line_ids}
        self.assertIn('cannot be read back', problems[archived])
        self.assertIn('were changed', problems[swapped.document_ids])
        self.assertEqual(archived.verification_state, 'invalid')
        self.assertEqual(good.document_ids.verification_state, 'valid')
        entry = self.log_of(event='verify_timestamps', user_ref=self.auditor.id)
        self.assertIn('"failed": 2', entry.details)
        # An empty period verifies nothing.
        wizard = self.env['esign.archive.verify.wizard'].with_user(self.auditor).create(
            {'date_from': '2001-01-01', 'date_to': '2001-01-31'})
        wizard.action_verify()
        self.assertEqual(wizard.document_count, 0)
        with self.assertRaises(UserError):
            self.env['esign.archive.verify.wizard'].with_user(self.auditor).create(
                {'date_from': '2026-02-01', 'date_to': '2026-01-01'})

    def test_registered_file_download_reads_the_vault(self):
        contract = self.register()
        action = contract.document_ids.with_user(self.officer).action_download_pdf()
        self.assertEqual(action['url'], f'/esign/archive/document/{contract.document_ids.id}/download')
        self.assertTrue(base64.b64encode(contract.document_ids._read_pdf()))
