from odoo import fields, models
from odoo.exceptions import UserError

from .request_info import backoffice_request_info


class EsignDeclineWizard(models.TransientModel):
    """An internal approver declines (差し戻し) from the back office."""
    _name = 'esign.decline.wizard'
    _description = 'Decline an envelope'

    signer_id = fields.Many2one('esign.signer', string='Signer', required=True)
    envelope_id = fields.Many2one(related='signer_id.envelope_id')
    reason = fields.Text(string='Reason', required=True, help='Sent to the sender and the other signers.')

    def action_confirm(self):
        self.ensure_one()
        if self.signer_id.user_id != self.env.user:
            raise UserError(self.env._('Only the signer themself can decline.'))
        self.signer_id._esign_decline(self.reason, backoffice_request_info())
        return {'type': 'ir.actions.act_window_close'}
