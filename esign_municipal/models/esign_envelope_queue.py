"""Envelopes made from purchase orders, and the queue that sends them in bulk.

Rendering an order's PDF (wkhtmltopdf) is the slow part of sending, so the
bulk action only creates the drafts and queues them; a cron renders the
orders of a batch in one run and sends them.
"""
import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

QUEUE_BATCH = 100
# Documents the officer did not lay out: every signer with an invisible
# signature gets a signature field on them automatically.
AUTO_SIGNATURE_SOURCES = ('order_report', 'order_attachment')


class EsignEnvelope(models.Model):
    _inherit = 'esign.envelope'

    queue_order_report = fields.Boolean(
        string="Add the order's PDF", copy=False,
        help="The purchase order's own PDF is added as the first document when the envelope is sent.")

    def _esign_open_action(self):
        action = self.env['ir.actions.act_window']._for_xml_id('esign_municipal.action_esign_envelope')
        if len(self) == 1:
            action.update(view_mode='form', views=[(False, 'form')], res_id=self.id)
        else:
            action['domain'] = [('id', 'in', self.ids)]
        return action

    def _esign_add_order_documents(self):
        """Renders the orders' PDFs (one wkhtmltopdf run for all) and adds the
        default invisible signature fields to the order's documents."""
        wanted = self.filtered(lambda e: e.queue_order_report and e.purchase_order_id and not any(
            d.source == 'order_report' for d in e.document_ids))
        pdfs = wanted.purchase_order_id.sudo()._esign_order_pdfs() if wanted else {}
        for envelope in wanted:
            order = envelope.purchase_order_id
            document = self.env['esign.document'].create({
                'envelope_id': envelope.id,
                'name': self.env._('Purchase order %s', order.name),
                'filename': f'{order.name}.pdf',
                'sequence': 10,
                'source': 'order_report',
            })
            document._esign_set_original(pdfs[order.id])
        self._esign_add_default_signature_fields()

    def _esign_add_default_signature_fields(self):
        values = []
        for envelope in self:
            for document in envelope.document_ids.filtered(lambda d: d.source in AUTO_SIGNATURE_SOURCES):
                signed = document.field_ids.filtered(lambda f: f.field_type == 'signature').signer_id
                for signer in envelope.signer_ids.filtered(lambda s: s.signature_type == 'invisible') - signed:
                    values.append({'document_id': document.id, 'signer_id': signer.id, 'field_type': 'signature',
                                   'page': 1, 'required': True, 'label': self.env._('Signature')})
        return self.env['esign.field'].create(values)

    # -- the bulk queue ---------------------------------------------------------

    def _esign_queue_for_sending(self):
        self.check_access('write')
        self._esign_check_draft()
        self._esign_write({'send_queued': True})
        self.env.ref('esign_municipal.ir_cron_esign_send_queue')._trigger()

    @api.model
    def _cron_send_queued(self, batch_size=QUEUE_BATCH):
        queued = self.sudo().search([('send_queued', '=', True), ('state', '=', 'draft')], order='id')
        batch = queued[:batch_size]
        batch._esign_add_order_documents()
        for envelope in batch:
            try:
                with self.env.cr.savepoint():
                    envelope.with_user(envelope.user_id).action_send()
            except UserError as exc:
                envelope._esign_queue_failed(exc.args[0])
        self.env['ir.cron']._notify_progress(done=len(batch), remaining=len(queued) - len(batch))
        return len(queued) - len(batch)

    def _esign_queue_failed(self, message):
        """A queued envelope could not be sent: its sender sees why, and the draft stays."""
        self._esign_write({'send_queued': False})
        self.message_post(body=Markup('%s<br/>%s') % (
            self.env._('The envelope could not be sent:'), message))
        self.activity_schedule('mail.mail_activity_data_todo', user_id=self.user_id.id,
                               summary=self.env._('Envelope not sent'), note=message)
