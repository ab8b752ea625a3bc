import io

from pyhanko.pdf_utils.reader import PdfFileReader

from odoo.tests import TransactionCase, tagged

from odoo.addons.esign_hsm.testing import pdf_checks

from ..models.esign_demo_builder import (DEMO_COMPLETED_CONTRACT_XMLID, DEMO_COMPLETED_VALUES,
                                          DEMO_COMPLETED_XMLID, DEMO_XMLID)
from .common import assert_text_as_shown, pdf_text

# As GMO Sign's mails (reference: gmo-sign-guide.md) and esign_municipal/i18n/ja.po.
REQUEST_SUBJECT_JA = '【{company}】様より{envelope}への署名依頼が届いています'
COMPLETED_SUBJECT_JA = '電子署名完了のお知らせ'
REVIEW_BUTTON_JA = '文書を確認する'
CERTIFICATE_HEADING_JA = '合意締結証明書'


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
        self.assertEqual(events, ['send', 'token_issued', 'invite', 'sign', 'token_issued', 'invite', 'sign',
                                  'token_issued', 'token_issued', 'complete', 'archive'])
        result, _unsealed = Log._esign_verify_chain()
        self.assertTrue(result.intact, result.first_break)

    def test_signed_pdfs_validate(self):
        verifier = self.env['esign.signature.verifier']
        demo_root = self.env['esign.demo.pki']._load_demo_pki(self.envelope.company_id).root.cert
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
            # poppler, independently, trusting the demo root: both witness signatures valid and the
            # witness certificate's chain trusted; OpenSSL: the document timestamp.
            pdf_checks.assert_pdfsig_verdict(data, [demo_root], [sig.field_name for sig in signatures], doc_timestamps=1)

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
        self.assertEqual(self.env['esign.demo.builder']._esign_demo_completed_envelope(), self.envelope)
        self.assertEqual(self.env['esign.envelope'].search_count([]), envelopes)
        self.assertEqual(self.env['esign.contract'].search_count([('envelope_id', '=', self.envelope.id)]), 1)


def signer_mails(signer):
    return signer.env['mail.mail'].sudo().search([('model', '=', 'esign.signer'), ('res_id', '=', signer.id)])


def assert_japanese_request(case, signer):
    """The signer's 署名依頼 mail, in Japanese, as GMO Sign's."""
    envelope = signer.envelope_id
    subject = REQUEST_SUBJECT_JA.format(company=envelope.company_id.name, envelope=envelope.name)
    request = signer_mails(signer).filtered(lambda mail: mail.subject == subject)
    case.assertEqual(len(request), 1, f'{signer.name}: 「{subject}」 in {signer_mails(signer).mapped("subject")}')
    case.assertIn(REVIEW_BUTTON_JA, request.body_html)
    case.assertIn(f'/esign/sign/{signer.id}/', request.body_html)


@tagged('post_install', '-at_install')
class TestDemoInJapanese(TransactionCase):
    """The demo's people read Japanese, and a Japanese municipality opening the
    demo sees the Japanese mails and audit certificate. The demo envelopes are
    made while the demo data loads, before Odoo loads esign_municipal's
    i18n/ja.po (and without --load-language, before Japanese is even active):
    the demo builder activates Japanese and loads our terms itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.completed = cls.env.ref(f'esign_municipal.{DEMO_COMPLETED_XMLID}')
        cls.waiting = cls.env.ref(f'esign_municipal.{DEMO_XMLID}')

    def test_the_demo_people_read_japanese(self):
        self.assertIn('ja_JP', dict(self.env['res.lang'].get_installed()))
        for envelope in self.completed | self.waiting:
            for signer in envelope.signer_ids:
                self.assertEqual(signer.partner_id.lang, 'ja_JP', signer.name)
        self.assertEqual(self.env.ref('esign_municipal.demo_user_officer').lang, 'ja_JP')

    def test_demo_mails_are_japanese(self):
        contractor, approver = self.completed.signer_ids.sorted('signing_order')
        for signer in (contractor, approver):
            assert_japanese_request(self, signer)
            self.assertIn(COMPLETED_SUBJECT_JA, signer_mails(signer).mapped('subject'), signer.name)
        assert_japanese_request(self, self.waiting.signer_ids.sorted('signing_order')[0])

    def test_demo_audit_certificate_is_japanese(self):
        certificate = self.completed._esign_audit_certificate_pdf()
        text = ' '.join(pdf_text(certificate).split())
        self.assertIn(CERTIFICATE_HEADING_JA, text)
        # What is copied, searched or read aloud is what is shown: 文書, not the radical ⽂ (U+2F42).
        assert_text_as_shown(self, certificate, [CERTIFICATE_HEADING_JA, '文書', '署名', '機密保持契約書', '日本'])
        self.assertIn('メールのリンク', text, "the contractor's authentication, a translated selection label")
        self.assertNotIn('Audit certificate', text)

    def test_builder_loads_the_japanese_terms_itself(self):
        """Building the completed demo envelope again, in this transaction,
        from a database without the Japanese of its mails and of the
        certificate (as while the demo data loads): still Japanese."""
        templates = self.env.ref('esign_municipal.mail_template_signature_request') | self.env.ref(
            'esign_municipal.mail_template_completed')
        view = self.env.ref('esign_municipal.report_audit_certificate')
        self.env.flush_all()
        self.env.cr.execute("UPDATE mail_template SET subject = subject - 'ja_JP', body_html = body_html - 'ja_JP' "
                            "WHERE id IN %s", [tuple(templates.ids)])
        self.env.cr.execute("UPDATE ir_ui_view SET arch_db = arch_db - 'ja_JP' WHERE id = %s", [view.id])
        self.env.invalidate_all()
        self.env.registry.clear_cache('templates')
        self.assertNotIn(CERTIFICATE_HEADING_JA, view.with_context(lang='ja_JP').arch_db)
        self.assertNotIn('署名依頼', templates[0].with_context(lang='ja_JP').subject)

        # The demo data's own envelope set aside: its xmlids name the new one.
        self.env['ir.model.data'].search([('module', '=', 'esign_municipal'),
                                          ('name', 'in', [DEMO_COMPLETED_XMLID, DEMO_COMPLETED_CONTRACT_XMLID])]).unlink()
        envelope = self.env['esign.demo.builder']._esign_demo_completed_envelope()
        self.assertTrue(envelope)
        self.assertNotEqual(envelope, self.completed)
        self.assertEqual(envelope.state, 'completed')
        for signer in envelope.signer_ids:
            assert_japanese_request(self, signer)
            self.assertIn(COMPLETED_SUBJECT_JA, signer_mails(signer).mapped('subject'), signer.name)
        text = ' '.join(pdf_text(envelope._esign_audit_certificate_pdf()).split())
        self.assertIn(CERTIFICATE_HEADING_JA, text)
        self.assertIn(envelope.number, text)
