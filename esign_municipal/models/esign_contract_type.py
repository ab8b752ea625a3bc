from odoo import fields, models

from ..tools import archive_guard


class EsignContractType(models.Model):
    """Kind of contract (業務委託, 工事請負 ...): how long its records are kept.

    A longer retention period applies at once to the contracts of the type
    already archived; a shorter one only to contracts archived from now on
    (what was promised to be kept stays kept). Every change is logged."""
    _name = 'esign.contract.type'
    _description = 'Contract type'
    _inherit = ['esign.settings.audit.mixin']
    _order = 'sequence, name'

    name = fields.Char(string='Contract type', required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    retention_years = fields.Integer(
        string='Retention period (years)', required=True, default=10,
        help='How many years completed contracts of this type are kept before they may be deleted.')
    company_id = fields.Many2one('res.company', string='Company', help='Leave empty to share between companies.')

    _sql_constraints = [
        ('retention_years_positive', 'CHECK (retention_years > 0)',
         'The retention period must be at least one year.'),
    ]

    def write(self, vals):
        result = super().write(vals)
        if 'retention_years' in vals:
            Contract = self.env['esign.contract'].sudo()
            for contract_type in self:
                with archive_guard.unlocked(archive_guard.CORRECTION):
                    for contract in Contract.search([('contract_type_id', '=', contract_type.id)]):
                        until = Contract._esign_retention_until(contract.archived_at, contract_type)
                        if until > contract.retention_until:
                            contract.write({'retention_until': until})
        return result
