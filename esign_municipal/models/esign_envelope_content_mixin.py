from odoo import api, models


class EsignEnvelopeContentMixin(models.AbstractModel):
    """What an envelope holds (documents, signers, fields) follows the envelope.

    Frozen once it is sent: users change it only while the envelope is a
    draft, and never the fields the signing flow owns (states, signing
    evidence, values, PDF versions); the flow itself writes as superuser
    (`_esign_flow_fields`, which take no default from the client either:
    esign.flow.fields.mixin).

    Archived with it once it is completed: locked for everyone, superuser
    included (esign.archive.lock.mixin, inherited here so that its guard runs
    below this one and below every override of the models using this mixin).
    """
    _name = 'esign.envelope.content.mixin'
    _description = 'Part of an envelope'
    _inherit = ['esign.flow.fields.mixin', 'esign.archive.lock.mixin']

    @api.model
    def _esign_envelopes_of(self, vals_list):
        return self.env['esign.envelope'].browse({vals.get('envelope_id') for vals in vals_list} - {None, False})

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._esign_check_flow_fields(vals)
            self._esign_envelopes_of(vals_list)._esign_check_draft()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._esign_check_flow_fields(vals)
            (self.envelope_id | self._esign_envelopes_of([vals]))._esign_check_draft()
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            self.envelope_id._esign_check_draft()
        return super().unlink()

    # -- the archive lock (esign.archive.lock.mixin) -------------------------------

    def _esign_locked(self):
        return self.filtered(lambda part: part.sudo().envelope_id.state == 'completed')

    @api.model
    def _esign_parents_locked(self, vals_list):
        envelope_ids = {vals.get('envelope_id') for vals in vals_list} - {None, False}
        document_ids = {vals.get('document_id') for vals in vals_list} - {None, False}
        envelopes = self.env['esign.envelope'].sudo().browse(envelope_ids) | \
            self.env['esign.document'].sudo().browse(document_ids).envelope_id
        return any(envelope.state == 'completed' for envelope in envelopes)
