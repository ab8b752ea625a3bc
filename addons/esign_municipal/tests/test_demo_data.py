import io

from pyhanko.pdf_utils.reader import PdfFileReader

from odoo.tests import TransactionCase, tagged

from ..models.esign_envelope_demo import DEMO_COMPLETED_VALUES, DEMO_COMPLETED_XMLID
from .common import pdfsig


@tagged('post_install', '-at_install')
class TestDemoCompletedEnvelope(TransactionCase):
    """The demo database opens on a finished contract: the demo data's
    completed envelope was signed through the real pipeline when the database
    was built (no HTTP server, the demo PKI's in-process TSA), archived with
    its audit certificate, and its PDFs validate, for us and for poppler.
    (scripts/test installs with demo data, as Odoo does by default.)"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.envelope = cls.env.ref(f'esign_municipal.{DEMO_COMPLETED_XMLID}', raise_if_not_found=False)
        assert cls.envelope, 'the demo data is not loaded: install with demo data (scripts/test does)'
        cls.contract = cls.envelope.contract_ids

    def test_completed_by_both_signers_in_order(self):
        envelope = self.envelope
        self.assertEqual(envelope.state, 'completed')
        self.assertEqual(envelope.document_ids.mapped('name'), ['機密保持契約書', '業務委託契約書'])
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        self.assertEqual(contractor.partner_id, self.env.ref('esign_municipal.demo_partner_contractor_contact'))
        self.assertEqual(approver.user_id, self.env.ref('esign_municipal.demo_user_approver'))
        self.assertEqual((contractor.state, contractor.auth_method), ('signed', 'email_link'))
        self.assertEqual((approver.state, approver.auth_method), ('signed', 'backoffice'))
        self.assertLessEqual(contractor.signed_at, approver.signed_at)
        filled = {field.label: field.value for field in envelope.field_ids if field.field_type != 'signature'}
        self.assertEqual({label: filled[label] for label in DEMO_COMPLETED_VALUES}, DEMO_COMPLETED_VALUES)
        self.assertTrue(filled['締結日'], 'the approver dated the contract')

    def test_archived_with_its_audit_certificate_and_logged(self):
        contract = self.contract
        self.assertEqual(len(contract), 1)
        self.assertEqual((contract.source, contract.number), ('envelope', self.envelope.number))
        self.assertEqual(contract.partner_id, self.env.ref('esign_municipal.demo_partner_contractor'))
        self.assertEqual(contract.amount, 1000000)
        self.assertEqual(len(contract.document_ids), 2)
        self.assertTrue(self.envelope.has_audit_certificate and contract.has_audit_certificate)
        certificate = self.envelope._esign_audit_certificate_pdf()
        report = self.env['esign.signature.verifier']._esign_validate(certificate)
        self.assertEqual(report.verdict, 'valid', report.to_dict())
        self.assertTrue(report.document_timestamped)

        Log = self.env['esign.operation.log'].sudo()
        events = Log.search([('envelope_ref', '=', self.envelope.id)], order='id').mapped('event')
        self.assertEqual(events, ['send', 'invite', 'sign', 'invite', 'sign', 'complete', 'archive'])
        result, _unsealed = Log._esign_verify_chain()
        self.assertTrue(result.intact, result.first_break)

    def test_signed_pdfs_validate(self):
        verifier = self.env['esign.signature.verifier']
        for document in self.contract.document_ids:
            data = document._read_pdf()
            self.assertEqual(data, document.document_id._read_pdf('current'))
            report = verifier._esign_validate(data)
            self.assertEqual(report.verdict, 'valid', report.to_dict())
            self.assertTrue(report.ltv, 'validation data (DSS) is embedded')
            self.assertTrue(report.document_timestamped, 'B-LTA: a document timestamp over everything')
            signatures = [sig for sig in report.signatures if sig.kind == 'signature']
            self.assertEqual(len(signatures), 2)
            for sig in signatures:
                self.assertTrue(sig.intact and sig.valid and sig.trusted, sig)
                self.assertTrue(sig.timestamp_valid and sig.timestamp_time, 'each signature carries its timestamp')
                self.assertIn('承認しました', sig.reason)
            # poppler, independently: both witness signatures are valid.
            approvals = [validation for _name, kind, validation in pdfsig(data) if kind == 'ETSI.CAdES.detached']
            self.assertEqual(approvals, ['Signature is Valid.'] * 2, document.name)

        nda = self.envelope.document_ids.sorted('sequence')[0]
        company_name = nda.field_ids.filtered(lambda f: f.label == '会社名')
        reader = PdfFileReader(io.BytesIO(nda._read_pdf('current')))
        values = {str(ref.get_object().get('/T')): ref.get_object().get('/V')
                  for ref in reader.root['/AcroForm']['/Fields']}
        self.assertEqual(str(values[company_name._esign_pdf_name()]), DEMO_COMPLETED_VALUES['会社名'])

    def test_mails_are_queued_not_failed(self):
        signers = self.envelope.signer_ids
        mails = self.env['mail.mail'].sudo().search([
            '|', '&', ('model', '=', 'esign.signer'), ('res_id', 'in', signers.ids),
            '&', ('model', '=', 'esign.envelope'), ('res_id', '=', self.envelope.id)])
        self.assertFalse(mails.filtered(lambda mail: mail.state == 'exception'),
                         'nothing tried to reach a mail server while the database was built')
        for signer in signers:
            # The signature request and 電子署名完了のお知らせ, each with the signer's own link.
            links = mails.filtered(lambda mail: mail.model == 'esign.signer' and mail.res_id == signer.id).mapped(
                'body_html')
            self.assertEqual(len(links), 2, signer.name)
            self.assertTrue(any(f'/esign/sign/{signer.id}/' in body for body in links))
            self.assertTrue(any(f'/esign/download/{signer.id}/' in body for body in links))

    def test_building_it_again_changes_nothing(self):
        envelopes = self.env['esign.envelope'].search_count([])
        self.assertEqual(self.env['esign.envelope']._esign_demo_completed_envelope(), self.envelope)
        self.assertEqual(self.env['esign.envelope'].search_count([]), envelopes)
        self.assertEqual(self.env['esign.contract'].search_count([('envelope_id', '=', self.envelope.id)]), 1)
