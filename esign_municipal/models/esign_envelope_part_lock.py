"""Documents, signers and fields of a completed envelope are archived with it:
locked for everyone (see esign.archive.lock.mixin)."""
from odoo import api, models


class EsignEnvelopePartLock(models.AbstractModel):
    _name = 'esign.envelope.part.lock'
    _inherit = ['esign.archive.lock.mixin']
    _description = 'Part of an archived envelope'

    def _esign_locked(self):
        return self.filtered(lambda part: part.sudo().envelope_id.state == 'completed')

    @api.model
    def _esign_parents_locked(self, vals_list):
        envelope_ids = {vals.get('envelope_id') for vals in vals_list} - {None, False}
        document_ids = {vals.get('document_id') for vals in vals_list} - {None, False}
        envelopes = self.env['esign.envelope'].sudo().browse(envelope_ids) | \
            self.env['esign.document'].sudo().browse(document_ids).envelope_id
        return any(envelope.state == 'completed' for envelope in envelopes)

