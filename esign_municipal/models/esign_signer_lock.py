from odoo import models


class EsignSigner(models.Model):
    _name = 'esign.signer'
    _inherit = ['esign.signer', 'esign.envelope.part.lock']
