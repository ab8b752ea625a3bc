from odoo import models


class EsignDocument(models.Model):
    _name = 'esign.document'
    _inherit = ['esign.document', 'esign.envelope.part.lock']
