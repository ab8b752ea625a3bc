from odoo import api, fields, models
from odoo.exceptions import ValidationError

from . import pdf_errors


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

    @api.constrains('document_id', 'field_type')
    def _check_signed_form_takes_signatures_only(self):
        """A form already signed elsewhere takes only signature fields: sending an
        envelope made from the template would refuse any other, so whoever builds
        the template is told now, in the same words."""
        for field in self.filtered(lambda field: field.field_type != 'signature'):
            if field.document_id._esign_form_is_signed():
                raise ValidationError(pdf_errors.signed_form_message(self.env, field.document_id.name))
