from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    esign_tsa_count = fields.Integer(string='Timestamp authorities', compute='_compute_esign_tsa_count')

    def _compute_esign_tsa_count(self):
        count = self.env['esign.tsa'].sudo().search_count([])
        for settings in self:
            settings.esign_tsa_count = count
