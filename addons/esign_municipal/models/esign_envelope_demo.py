import base64

from odoo import api, models

from ..tools.demo_documents import document_pdfs

DEMO_XMLID = 'demo_envelope_portal'


class EsignEnvelope(models.Model):
    _inherit = 'esign.envelope'

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
        return contractor._esign_sign_url(contractor._esign_issue_token('sign'))

    @api.model
    def _esign_demo_create_portal_envelope(self):
        # The demo contractor reads Japanese; its mails need the language active.
        self.env['res.lang']._activate_lang('ja_JP')
        ref = self.env.ref
        envelope = self.sudo().create({
            'name': '電子契約サービス委託',
            'user_id': ref('esign_municipal.demo_user_officer').id,
            'purchase_order_id': ref('esign_municipal.demo_purchase_order').id,
            'partner_id': ref('esign_municipal.demo_partner_contractor').id,
            'amount': 1000000,
            'currency_id': ref('base.JPY').id,
            'signing_mode': 'sequential',
            'signer_message': 'ご確認のうえ、署名をお願いいたします。',
        })
        self.env['ir.model.data'].sudo().create({
            'module': 'esign_municipal', 'name': DEMO_XMLID, 'model': self._name, 'res_id': envelope.id,
            'noupdate': True})
        documents = self.env['esign.document'].sudo().create([
            {'envelope_id': envelope.id, 'name': title, 'sequence': index, 'filename': f'{title}.pdf',
             'pdf_upload': base64.b64encode(data)}
            for index, (title, data) in enumerate(document_pdfs())])
        contractor, approver = self.env['esign.signer'].sudo().create([
            {'envelope_id': envelope.id, 'partner_id': ref('esign_municipal.demo_partner_contractor_contact').id,
             'role': 'contractor', 'signing_order': 1, 'otp_required': False},
            {'envelope_id': envelope.id, 'partner_id': ref('esign_municipal.demo_user_approver').partner_id.id,
             'role': 'municipality', 'signing_order': 2, 'otp_required': False},
        ])
        Field = self.env['esign.field'].sudo()
        for signer in (contractor, approver):
            Field.create([{'document_id': document.id, 'signer_id': signer.id, 'field_type': 'signature', 'page': 1}
                          for document in documents])
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
