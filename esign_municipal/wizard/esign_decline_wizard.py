from odoo import fields, models

from .request_info import backoffice_request_info


class EsignDeclineWizard(models.TransientModel):
    """An internal approver declines (差し戻し) from the back office."""
    _name = 'esign.decline.wizard'
    _inherit = ['esign.wizard.target.mixin']
    _description = 'Decline an envelope'
    _esign_target_checks = {'signer_id': '_esign_check_my_signer'}

    signer_id = fields.Many2one('esign.signer', string='Signer', required=True)
    envelope_id = fields.Many2one(related='signer_id.envelope_id')
    reason = fields.Text(string='Reason', required=True, help='Sent to the sender and the other signers.')

    def action_confirm(self):
        self.ensure_one()
        self._esign_check_my_signer(self.signer_id.id)
        self.signer_id._esign_decline(self.reason, backoffice_request_info())
        return {'type': 'ir.actions.act_window_close'}
