from odoo import fields, models


class EsignContractType(models.Model):
    """Kind of contract (業務委託, 工事請負 ...): how long its records are kept."""
    _name = 'esign.contract.type'
    _description = 'Contract type'
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
