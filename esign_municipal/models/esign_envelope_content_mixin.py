from odoo import api, models
from odoo.exceptions import UserError


class EsignEnvelopeContentMixin(models.AbstractModel):
    """What an envelope holds (documents, signers, fields) is frozen once it is sent.

    Users change it only while the envelope is a draft, and never the fields
    the signing flow owns (states, signing evidence, values, PDF versions);
    the flow itself writes as superuser (`_esign_flow_fields`, which take no
    default from the client either: esign.flow.fields.mixin).
    """
    _name = 'esign.envelope.content.mixin'
    _inherit = ['esign.flow.fields.mixin']
    _description = 'Part of an envelope'

    @api.model
    def _esign_envelopes_of(self, vals_list):
        return self.env['esign.envelope'].browse({vals.get('envelope_id') for vals in vals_list} - {None, False})

    def _esign_check_flow_fields(self, vals):
        if self._esign_flow_fields & set(vals):
            raise UserError(self.env._('This information is recorded by the signing process and cannot be set by hand.'))

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
