from odoo import api, fields, models
from odoo.exceptions import ValidationError


class EsignTemplateField(models.Model):
    """Where a role fills or signs on a template document."""
    _name = 'esign.template.field'
    _description = 'Template field'
    _inherit = ['esign.field.layout.mixin']
    _order = 'document_id, page, y1 desc, x1, id'

    document_id = fields.Many2one('esign.template.document', string='Document', required=True,
                                  ondelete='cascade', index=True)
    role_id = fields.Many2one('esign.template.role', string='Role', required=True, ondelete='cascade')
    template_id = fields.Many2one(related='document_id.template_id', store=True, index=True)

    @api.constrains('document_id', 'role_id')
    def _check_same_template(self):
        for field in self:
            if field.role_id.template_id != field.document_id.template_id:
                raise ValidationError(self.env._('A field must belong to a role of the same template.'))
