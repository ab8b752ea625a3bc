from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    esign_download_validity_days = fields.Integer(
        string='Download link validity (days)',
        config_parameter='esign_municipal.download_validity_days',
        default=14,
        help='How long the link in the completion email lets every party '
             'download the signed documents without logging in.',
    )
    esign_default_signature_type = fields.Selection(
        selection=[('invisible', 'Invisible signature'), ('visible', 'Visible signature')],
        string='Default signature type',
        config_parameter='esign_municipal.default_signature_type',
        default='invisible',
        help='Whether a new signer gets an invisible witness signature or a '
             'visible stamp on the page; it can be changed per signer.',
    )
    esign_reminder_interval_days = fields.Integer(
        string='Reminder interval (days)',
        config_parameter='esign_municipal.reminder_interval_days',
        default=3,
        help='Signers who have not signed get a reminder every this many days; 0 sends no reminders.',
    )
    esign_default_expiry_days = fields.Integer(
        string='Default expiry (days)',
        config_parameter='esign_municipal.default_expiry_days',
        default=14,
        help='A new envelope expires this many days after it is created, unless the sender changes the date.',
    )
    esign_default_approver_id = fields.Many2one(
        'res.users',
        string='Default approver',
        config_parameter='esign_municipal.default_approver_id',
        domain=[('share', '=', False)],
        help='The official proposed as approver when envelopes are sent from purchase orders.',
    )
