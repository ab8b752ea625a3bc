import hashlib

from odoo.tests import tagged

from ..engine.validation import validate_pdf
from .archive_common import REQUEST, ArchiveCase
from .common import assert_text_as_shown, pdf_text


@tagged('post_install', '-at_install')
class TestArchiveOnCompletion(ArchiveCase):
    """A completed envelope enters the archive with its metadata, its signed
    PDFs' fingerprints and timestamps, and a timestamped audit certificate;
    every step is in the operation log."""

    def test_completed_envelope_is_archived_with_its_certificate(self):
        envelope = self.complete_envelope(documents={'業務委託契約書': 2, '送付状': 1}, name='文書管理システム 長期保守')
        contract = envelope.contract_ids
        self.assertEqual(len(contract), 1)
        self.assertEqual((contract.number, contract.name, contract.source), (envelope.number, envelope.name,
                                                                               'envelope'))
        self.assertEqual(str(contract.transaction_date), '2026-04-01')
        self.assertEqual(contract.amount, 1200000)
        self.assertEqual(contract.partner_id, self.vendor)
        self.assertEqual(contract.department, '総務課')
        self.assertEqual(contract.user_id, self.officer)
        self.assertEqual(contract.retention_until.year - contract.archived_at.year, 10)
        self.assertEqual(contract.document_ids.mapped('name'), ['業務委託契約書', '送付状'])
        for archived, document in zip(contract.document_ids, envelope.document_ids):
            data = document._read_pdf('current')
            self.assertEqual(archived.sha256, hashlib.sha256(data).hexdigest())
            self.assertEqual(archived._read_pdf(), data)
            # The newest timestamp is the document timestamp of B-LTA, by the loopback TSA.
            self.assertIn('Timestamp', archived.timestamp_tsa)
            self.assertTrue(archived.timestamp_at and archived.timestamp_expires_at > archived.timestamp_at)

        self.assertTrue(envelope.has_audit_certificate and contract.has_audit_certificate,
                        'the audit certificate is attached on completion')
        blob = envelope.sudo().audit_certificate_blob_id
        self.assertNotEqual(blob.attachment_id.raw[:5], b'%PDF-', 'kept encrypted, like the documents')
        pdf = envelope._esign_audit_certificate_pdf()
        self.assertTrue(pdf.startswith(b'%PDF'))
        report = validate_pdf(pdf, trust_roots=[self.pki.root.asn1])
        self.assertEqual(report.verdict, 'valid', report.to_dict())
        self.assertTrue(report.document_timestamped, 'the certificate carries a document timestamp')
        self.assert_signed(pdf, [], doc_timestamps=1)  # and pdfsig / OpenSSL agree
        # Its Japanese is text as shown: 文書 and 長期, not the radicals ⽂ (U+2F42) and ⻑ (U+2ED1).
        assert_text_as_shown(self, pdf, ['文書管理システム 長期保守', '業務委託契約書', '送付状', 'デモ市'])
        text = pdf_text(pdf)
        flat, packed = ' '.join(text.split()), ''.join(text.split())
        for expected in (envelope.number, 'Taro Yamada', 'Approver Sato', REQUEST['ip'], '198.51.100.20',
                         'Email link', 'Logged-in user'):
            self.assertIn(expected, flat)
        self.assertIn(hashlib.sha256(envelope.document_ids[0]._read_pdf('current')).hexdigest(), packed)

        events = self.log_of(envelope_ref=envelope.id).mapped('event')
        for event in ('send', 'invite', 'sign', 'complete', 'archive'):
            self.assertIn(event, events)
        sign = self.log_of(envelope_ref=envelope.id, event='sign')[0]
        self.assertEqual((sign.ip_address, sign.user_agent, sign.auth_method),
                         (REQUEST['ip'], REQUEST['user_agent'], 'email_link'))
        self.assertEqual(sign.partner_name, 'Taro Yamada <yamada@construction.example>')

    def test_archiving_twice_keeps_one_record(self):
        envelope = self.complete_envelope()
        self.assertEqual(self.env['esign.contract']._esign_archive_envelope(envelope), envelope.contract_ids)
        envelope._cron_archive_pending()
        self.assertEqual(len(self.env['esign.contract'].search([('envelope_id', '=', envelope.id)])), 1)

    def test_certificate_made_later_when_the_tsa_was_down(self):
        envelope = self.create_envelope(documents={'Contract': 1})
        envelope.with_user(self.officer).action_send()
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        contractor._complete_signing({}, REQUEST)
        # The final timestamp succeeds, the certificate's fails: archived, certificate pending.
        original = type(envelope)._esign_attach_audit_certificate

        def tsa_down(record):
            self.tsa_server.fault = 'down'
            try:
                return original(record)
            finally:
                self.tsa_server.fault = None
        self.patch(type(envelope), '_esign_attach_audit_certificate', tsa_down)
        approver._complete_signing({}, {'auth_method': 'backoffice'})
        self.assertEqual(envelope.state, 'completed')
        self.assertTrue(envelope.contract_ids)
        self.assertFalse(envelope.has_audit_certificate)
        self.patch(type(envelope), '_esign_attach_audit_certificate', original)
        self.env['esign.envelope']._cron_archive_pending()
        envelope.invalidate_recordset()
        self.assertTrue(envelope.has_audit_certificate)

    def test_archived_pdf_opens_in_pdfjs(self):
        envelope = self.complete_envelope()
        document = envelope.contract_ids.document_ids
        action = document.with_user(self.officer).action_view_pdf()
        self.assertEqual(action['url'], '/web/static/lib/pdfjs/web/viewer.html?file=/esign/archive/document/'
                                        f'{document.id}/view')
