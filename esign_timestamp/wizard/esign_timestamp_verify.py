from odoo import api, fields, models
from odoo.exceptions import UserError


class EsignTimestampVerify(models.TransientModel):
    """Verify again every timestamp issued in a period (電子帳簿保存法 asks
    that the timestamps of kept records can be checked), with counts and the
    failures listed."""
    _name = 'esign.timestamp.verify'
    _description = 'Verify Timestamps'

    date_from = fields.Date(string='From', required=True,
                            default=lambda self: fields.Date.subtract(fields.Date.context_today(self), months=1))
    date_to = fields.Date(string='To', required=True, default=fields.Date.context_today)
    company_id = fields.Many2one('res.company', string='Company',
                                 help='Leave empty to verify the timestamps of every company you can access.')
    state = fields.Selection([('draft', 'To verify'), ('done', 'Verified')], default='draft', required=True)
    total_count = fields.Integer(string='Timestamps', readonly=True)
    valid_count = fields.Integer(string='Valid', readonly=True)
    invalid_count = fields.Integer(string='Invalid', readonly=True)
    line_ids = fields.One2many('esign.timestamp.verify.line', 'wizard_id', string='Failures', readonly=True)

    @api.constrains('date_from', 'date_to')
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(self.env._('The start of the period must come before its end.'))

    def _tokens(self):
        start = fields.Datetime.to_datetime(self.date_from)
        end = fields.Datetime.add(fields.Datetime.to_datetime(self.date_to), days=1)
        domain = [('gen_time', '>=', start), ('gen_time', '<', end)]
        if self.company_id:
            domain.append(('company_id', '=', self.company_id.id))
        return self.env['esign.timestamp.token'].search(domain, order='gen_time, id')

    def action_verify(self):
        self.ensure_one()
        results = self._tokens()._verify()
        failures = [(token, error) for token, error in results.items() if error]
        self.write({
            'state': 'done',
            'total_count': len(results),
            'valid_count': len(results) - len(failures),
            'invalid_count': len(failures),
            'line_ids': [(5, 0, 0)] + [(0, 0, {'token_id': token.id, 'error': error}) for token, error in failures],
        })
        return {'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': self.id,
                'view_mode': 'form', 'target': 'new', 'name': self.env._('Verify Timestamps')}


class EsignTimestampVerifyLine(models.TransientModel):
    _name = 'esign.timestamp.verify.line'
    _description = 'Timestamp Verification Failure'

    wizard_id = fields.Many2one('esign.timestamp.verify', required=True, ondelete='cascade')
    token_id = fields.Many2one('esign.timestamp.token', string='Timestamp', required=True, ondelete='cascade')
    serial = fields.Char(related='token_id.serial')
    gen_time = fields.Datetime(related='token_id.gen_time', string='Time')
    tsa_name = fields.Char(related='token_id.tsa_name', string='Authority')
    description = fields.Char(related='token_id.description', string='Covers')
    error = fields.Char(string='Problem')
