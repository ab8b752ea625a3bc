from odoo import fields, models

from .esign_signer import SIGNER_ROLES


class EsignTemplateRole(models.Model):
    """A place for a signer in a template (「受注者」, 「承認者」), filled per envelope."""
    _name = 'esign.template.role'
    _description = 'Template signer role'
    _order = 'template_id, signing_order, id'

    template_id = fields.Many2one('esign.template', required=True, ondelete='cascade', index=True)
    name = fields.Char(string='Role name', required=True, translate=True)
    role = fields.Selection(SIGNER_ROLES, string='Role', required=True, default='contractor')
    signing_order = fields.Integer(string='Order', required=True, default=1)
    color = fields.Integer(string='Colour', compute='_compute_color')

    def _compute_color(self):
        for role in self:
            siblings = list(role.template_id.role_ids)
            role.color = (siblings.index(role) % 10 + 1) if role in siblings else 1
