from odoo import models


class EsignTsa(models.Model):
    """Changes of the timestamp authorities are settings changes (操作ログ)."""
    _name = 'esign.tsa'
    _inherit = ['esign.tsa', 'esign.settings.audit.mixin']
