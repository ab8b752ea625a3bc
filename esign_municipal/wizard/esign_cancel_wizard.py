from odoo import fields, models


class EsignCancelWizard(models.TransientModel):
    _name = 'esign.cancel.wizard'
    _inherit = ['esign.wizard.target.mixin']
    _description = 'Cancel an envelope'
    _esign_target_checks = {'envelope_id': '_esign_check_cancellable_envelope'}

    envelope_id = fields.Many2one('esign.envelope', string='Envelope', required=True)
    reason = fields.Text(string='Reason', required=True, help='Sent to the signers who were asked to sign.')

    def action_confirm(self):
        self.ensure_one()
        self.envelope_id._esign_cancel(self.reason)
        return {'type': 'ir.actions.act_window_close'}
