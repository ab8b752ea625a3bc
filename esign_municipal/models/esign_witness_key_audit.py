from odoo import models


class EsignWitnessKey(models.Model):
    """Changes of the witness keys (import, activation, retirement) are settings changes (操作ログ)."""
    _name = 'esign.witness.key'
    _inherit = ['esign.witness.key', 'esign.settings.audit.mixin']
