from markupsafe import Markup

from odoo import api, fields, models

from .esign_envelope import ENVELOPE_STATES

ESIGN_GROUPS = 'esign_municipal.group_esign_user,esign_municipal.group_esign_auditor'
ORDER_REPORT = 'purchase.action_report_purchase_order'


class PurchaseOrder(models.Model):
    _inherit = 'purchase.order'

    esign_envelope_ids = fields.One2many('esign.envelope', 'purchase_order_id', string='Envelopes',
                                         groups=ESIGN_GROUPS)
    esign_envelope_count = fields.Integer(compute='_compute_esign_status', string='Envelopes count',
                                          groups=ESIGN_GROUPS)
    esign_state = fields.Selection(ENVELOPE_STATES, compute='_compute_esign_status', string='E-signature',
                                   groups=ESIGN_GROUPS, help='Status of the newest envelope sent for this order.')

    @api.depends('esign_envelope_ids.state')
    def _compute_esign_status(self):
        for order in self:
            envelopes = order.esign_envelope_ids
            order.esign_envelope_count = len(envelopes)
            order.esign_state = envelopes.sorted('id')[-1:].state or False

    def action_esign_send(self):
        """電子契約を送信: the wizard, filled in from these orders."""
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Send for e-signature'),
            'res_model': 'esign.purchase.wizard',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_purchase_order_ids': self.ids},
        }

    def action_view_esign_envelopes(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('esign_municipal.action_esign_envelope')
        action['domain'] = [('purchase_order_id', '=', self.id)]
        action['context'] = {'default_purchase_order_id': self.id, 'create': False}
        if len(self.esign_envelope_ids) == 1:
            action.update(view_mode='form', views=[(False, 'form')], res_id=self.esign_envelope_ids.id)
        return action

    def _esign_vendor_contact(self):
        """Who signs for the vendor: a contact person with an email, else the vendor itself."""
        self.ensure_one()
        contacts = self.partner_id.child_ids.filtered(lambda p: p.type == 'contact' and p.email)
        return contacts[:1] or self.partner_id

    def _esign_pdf_attachments(self):
        self.ensure_one()
        return self.env['ir.attachment'].search([
            ('res_model', '=', self._name), ('res_id', '=', self.id), ('mimetype', '=', 'application/pdf'),
            ('res_field', '=', False), ('type', '=', 'binary'),
        ])

    def _esign_order_pdfs(self):
        """{order id: PDF bytes} of the orders' own report (wkhtmltopdf), its
        Japanese extracted as shown (context esign_searchable_text, see ir.actions.report).

        One run per order: Debian's wkhtmltopdf (unpatched Qt) cannot render
        several records in one run, and one order per run is what Odoo's own
        "print" does anyway.
        """
        report = self.env['ir.actions.report'].with_context(force_report_rendering=True)
        return {order.id: report.with_context(esign_searchable_text=order.company_id.font or True)
                ._render_qweb_pdf(ORDER_REPORT, order.ids)[0] for order in self}

    def _esign_attach_signed(self, envelope):
        """On completion: links to the signed PDFs go on the order, and its chatter says so.

        Links (url attachments), not copies: the signed PDFs stay encrypted in
        the vault. The back-office download route behind each link checks the
        reader's rights, decrypts and writes a 'download' entry to the
        operation log; the PDF viewer of the chatter opens it in one click.
        """
        self.ensure_one()
        order = self.sudo()
        attachments = self.env['ir.attachment'].sudo().create([{
            'name': document._esign_file_name('current'),
            'type': 'url',
            'url': document._esign_download_url('current'),
            'mimetype': 'application/pdf',
            'res_model': order._name,
            'res_id': order.id,
        } for document in envelope.document_ids.sorted()])
        order.message_post(
            body=Markup('%s<br/>%s') % (
                self.env._('Electronic contract completed: envelope %s.', envelope.display_name),
                self.env._('The signed documents are linked below. Opening them requires the rights of an '
                           'E-Contract User or E-Contract Auditor (Electronic Contracts).')),
            attachment_ids=attachments.ids)
