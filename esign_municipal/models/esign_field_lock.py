from odoo import models


class EsignField(models.Model):
    _name = 'esign.field'
    _inherit = ['esign.field', 'esign.envelope.part.lock']
