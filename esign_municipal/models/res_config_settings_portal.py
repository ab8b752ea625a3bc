from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .esign_signer_otp_flow import OTP_BOUNDS, OTP_DEFAULTS


class ResConfigSettings(models.TransientModel):
    """The signing-portal block of the 電子契約 settings: the emailed one-time code."""
    _inherit = 'res.config.settings'

    esign_otp_required_default = fields.Boolean(
        string='One-time code by default',
        config_parameter='esign_municipal.otp_required_default',
        help='New signers must enter a code sent to their email address before they see the '
             'documents (email authentication). It can be changed per signer. Signing logged in with a '
             'portal account always asks for the code.',
    )
    esign_otp_length = fields.Integer(
        string='One-time code length',
        config_parameter='esign_municipal.otp_length', default=OTP_DEFAULTS['length'],
        help='Number of digits of the one-time code (6 to 10).',
    )
    esign_otp_attempts = fields.Integer(
        string='One-time code attempts',
        config_parameter='esign_municipal.otp_attempts', default=OTP_DEFAULTS['attempts'],
        help='Wrong entries allowed before the code is locked and the signer must ask for a new one (1 to 10).',
    )
    esign_otp_minutes = fields.Integer(
        string='One-time code validity (minutes)',
        config_parameter='esign_municipal.otp_minutes', default=OTP_DEFAULTS['minutes'],
        help='How long a one-time code can be used after it was sent (1 to 60 minutes).',
    )

    @api.constrains('esign_otp_length', 'esign_otp_attempts', 'esign_otp_minutes')
    def _check_esign_otp_settings(self):
        labels = {'length': self.env._('One-time code length'), 'attempts': self.env._('One-time code attempts'),
                  'minutes': self.env._('One-time code validity (minutes)')}
        for settings in self:
            for key, (low, high) in OTP_BOUNDS.items():
                value = settings[f'esign_otp_{key}']
                if not low <= value <= high:
                    raise ValidationError(self.env._('%(setting)s must be between %(low)s and %(high)s.',
                                                     setting=labels[key], low=low, high=high))
