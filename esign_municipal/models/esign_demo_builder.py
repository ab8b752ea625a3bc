"""The demo database's envelopes: one waiting for the demo contractor, one
completed and archived. Demo data only (demo/esign_demo_portal.xml,
demo/esign_demo_completed.xml, scripts/demo); the envelope model knows
nothing of it."""
import base64
import logging

from odoo import api, models

from ..tools.demo_documents import document_pdfs
from ..engine.jst import jst_today

_logger = logging.getLogger(__name__)

DEMO_XMLID = 'demo_envelope_portal'
DEMO_COMPLETED_XMLID = 'demo_envelope_completed'
DEMO_COMPLETED_CONTRACT_XMLID = 'demo_contract_completed'
# What the demo's signers "typed": the completed envelope is signed with these.
DEMO_COMPLETED_VALUES = {'会社名': '株式会社デモ建設', '代表者氏名': '山田 太郎'}
# The demo signatures come from no browser; the signers' record and the audit
# certificate say so instead of showing a made-up address.
DEMO_USER_AGENT = 'デモデータ (demo data, signed when the demo database was created)'
# The demo's people read Japanese (their contacts say so in the demo data).
DEMO_LANG = 'ja_JP'
# Whose terms the demo's mails and audit certificate use.
DEMO_TRANSLATED_MODULES = ['esign_timestamp', 'esign_hsm', 'esign_municipal']


class EsignDemoBuilder(models.AbstractModel):
    _name = 'esign.demo.builder'
    _description = 'Demo envelopes'

    @api.model
    def _esign_demo_portal_envelope(self):
        """Demo data: an envelope of three documents waiting for the demo
        contractor (no one-time code), with two text fields and a date to
        fill, then the demo approver. Created once; every call returns a
        fresh signing link for the contractor (for the demo script to print),
        who can also log in to the portal as contractor / contractor."""
        envelope = self.env.ref(f'esign_municipal.{DEMO_XMLID}', raise_if_not_found=False)
        if not envelope:
            envelope = self._esign_demo_create_portal_envelope()
        contractor = envelope.signer_ids.sorted('signing_order')[:1]
        if contractor.state != 'invited':
            return False
        return contractor._esign_sign_url(contractor._esign_issue_token('sign', 'demo'))

    @api.model
    def _esign_demo_create_portal_envelope(self):
        self = self.with_context(mail_notify_force_send=False)
        ref = self.env.ref
        envelope, documents, (contractor, approver) = self._esign_demo_draft(DEMO_XMLID, {
            'name': '電子契約サービス委託',
            'purchase_order_id': ref('esign_municipal.demo_purchase_order').id,
        }, document_pdfs())
        Field = self.env['esign.field'].sudo()
        nda, contract = documents[0], documents[1]
        Field.create([
            {'document_id': nda.id, 'signer_id': contractor.id, 'field_type': 'text', 'label': '会社名',
             'page': 1, 'x1': 72, 'y1': 560, 'x2': 320, 'y2': 584},
            {'document_id': nda.id, 'signer_id': contractor.id, 'field_type': 'date', 'label': '締結日',
             'page': 2, 'x1': 72, 'y1': 600, 'x2': 220, 'y2': 624},
            {'document_id': contract.id, 'signer_id': contractor.id, 'field_type': 'text', 'label': '代表者氏名',
             'page': 1, 'x1': 72, 'y1': 560, 'x2': 320, 'y2': 584},
        ])
        envelope.sudo().action_send()
        return envelope

    @api.model
    def _esign_demo_completed_envelope(self):
        """Demo data: a completed envelope (機密保持契約書 and 業務委託契約書,
        signed by the demo contractor, then the demo approver), so that a new
        user can open and verify a finished contract at once. Signed through
        the real pipeline: the contractor approves as through the emailed link
        (the portal's call), the approver through the back office's signing
        dialog; the demo PKI's in-process TSA timestamps every signature and
        the final document timestamp (B-LTA); completion archives it with its
        audit certificate. Created once; returns the envelope."""
        envelope = self.env.ref(f'esign_municipal.{DEMO_COMPLETED_XMLID}', raise_if_not_found=False)
        if envelope:
            return envelope
        if not self._esign_demo_can_sign():
            _logger.info('demo data: no completed envelope, the main company does not sign with the demo PKI')
            return False
        # Mails are queued, not sent while the database is being built (the
        # notifications Odoo would send at once included). The audit
        # certificate is rendered without Odoo's stylesheets, as it must be
        # while the database is built (see _esign_render_audit_certificate),
        # whenever this runs: the same certificate, and no wait on a web server
        # that cannot see this transaction.
        self = self.with_context(mail_notify_force_send=False, esign_report_offline=True)
        ref = self.env.ref
        approver_user = ref('esign_municipal.demo_user_approver')
        today = jst_today()
        envelope, documents, (contractor, approver) = self._esign_demo_draft(DEMO_COMPLETED_XMLID, {
            'name': '電子契約サービス委託（締結済み）',
            'transaction_date': today,
            'contract_type_id': ref('esign_municipal.contract_type_outsourcing').id,
            'department': '契約課',
        }, document_pdfs()[:2])
        nda, contract = documents
        Field = self.env['esign.field'].sudo()
        company_name, representative = Field.create([
            {'document_id': nda.id, 'signer_id': contractor.id, 'field_type': 'text', 'label': '会社名',
             'page': 1, 'x1': 72, 'y1': 560, 'x2': 320, 'y2': 584},
            {'document_id': contract.id, 'signer_id': contractor.id, 'field_type': 'text', 'label': '代表者氏名',
             'page': 1, 'x1': 72, 'y1': 560, 'x2': 320, 'y2': 584},
        ])
        Field.create({'document_id': contract.id, 'signer_id': approver.id, 'field_type': 'date',
                      'label': '締結日', 'page': 1, 'x1': 360, 'y1': 560, 'x2': 520, 'y2': 584})
        # The officer sends it from the back office.
        envelope.with_user(ref('esign_municipal.demo_user_officer')).action_send()
        # The contractor approves as the portal's signing page does.
        contractor._complete_signing(
            {company_name.id: DEMO_COMPLETED_VALUES['会社名'], representative.id: DEMO_COMPLETED_VALUES['代表者氏名']},
            {'auth_method': 'email_link', 'user_agent': DEMO_USER_AGENT})
        # The approver signs from the back office, in the signing dialog, as
        # themself and in their language, as their session would: completion
        # renders the audit certificate in it.
        wizard = self.env['esign.approve.wizard'].with_user(approver_user).with_context(
            lang=approver_user.lang).create(
            {'signer_id': approver.id, 'confirmed': True})
        wizard.line_ids.write({'value_date': today})
        wizard.action_sign()
        # Known to the module like the envelope, and created after it: uninstalling
        # removes demo records newest first, the archived contract (which keeps
        # the envelope, and so the demo users and partners) before the envelope.
        self.env['ir.model.data'].sudo().create({
            'module': 'esign_municipal', 'name': DEMO_COMPLETED_CONTRACT_XMLID, 'model': 'esign.contract',
            'res_id': envelope.contract_ids.id, 'noupdate': True})
        return envelope

    @api.model
    def _esign_demo_can_sign(self):
        """Whether the main company signs with the demo PKI and its in-process
        TSA (a database that already had its own key or TSA when the demo data
        came gets no demo signatures from them)."""
        company = self.env.ref('base.main_company')
        key = self.env['esign.witness.key'].sudo().search(
            [('company_id', '=', company.id), ('state', '=', 'active')], limit=1)
        demo_pki = self.env['esign.demo.pki'].sudo().search_count(
            [('company_id', '=', company.id), ('witness_key_id', '=', key.id)]) if key else 0
        tsas = self.env['esign.tsa'].sudo().search([('company_id', 'in', [False, company.id])])
        return bool(demo_pki) and bool(tsas) and set(tsas.mapped('kind')) == {'demo'}

    @api.model
    def _esign_demo_draft(self, xmlid, values, pdfs):
        """A draft envelope from the demo officer to the demo contractor's
        contact (order 1) then the demo approver (order 2), each with an
        invisible signature on every document; known by `xmlid` from now on."""
        self._esign_demo_load_japanese()
        ref = self.env.ref
        envelope = self.env['esign.envelope'].sudo().create(dict({
            'user_id': ref('esign_municipal.demo_user_officer').id,
            'partner_id': ref('esign_municipal.demo_partner_contractor').id,
            'amount': 1000000,
            'currency_id': ref('base.JPY').id,
            'signing_mode': 'sequential',
            'signer_message': 'ご確認のうえ、署名をお願いいたします。',
        }, **values))
        self.env['ir.model.data'].sudo().create({
            'module': 'esign_municipal', 'name': xmlid, 'model': 'esign.envelope', 'res_id': envelope.id,
            'noupdate': True})
        documents = self.env['esign.document'].sudo().create([
            {'envelope_id': envelope.id, 'name': title, 'sequence': index, 'filename': f'{title}.pdf',
             'pdf_upload': base64.b64encode(data)}
            for index, (title, data) in enumerate(pdfs)])
        signers = self.env['esign.signer'].sudo().create([
            {'envelope_id': envelope.id, 'partner_id': ref('esign_municipal.demo_partner_contractor_contact').id,
             'role': 'contractor', 'signing_order': 1, 'otp_required': False},
            {'envelope_id': envelope.id, 'partner_id': ref('esign_municipal.demo_user_approver').partner_id.id,
             'role': 'municipality', 'signing_order': 2, 'otp_required': False},
        ])
        self.env['esign.field'].sudo().create([
            {'document_id': document.id, 'signer_id': signer.id, 'field_type': 'signature', 'page': 1}
            for signer in signers for document in documents])
        return envelope, documents, signers

    @api.model
    def _esign_demo_load_japanese(self):
        """Japanese active, with our addons' Japanese terms, before the demo
        envelopes are sent. Odoo loads a module's i18n/ja.po only after the
        module's data and demo data (and activates nothing without
        --load-language): without this, the mails these envelopes send and the
        completed one's audit certificate would come out in English. Terms
        already in the database (a translation someone edited) are kept."""
        self.env['res.lang']._activate_lang(DEMO_LANG)
        self.env['ir.module.module']._load_module_terms(DEMO_TRANSLATED_MODULES, [DEMO_LANG], overwrite=False)

    @api.model
    def _esign_demo_completed_contract_path(self):
        """Where the demo's completed contract opens in the archive (for the demo script)."""
        envelope = self.env.ref(f'esign_municipal.{DEMO_COMPLETED_XMLID}', raise_if_not_found=False)
        contract = envelope and envelope.sudo().contract_ids[:1]
        return contract and f'/odoo/action-esign_municipal.action_esign_contract/{contract.id}'
