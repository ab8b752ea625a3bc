from odoo import api, fields, models
from odoo.exceptions import ValidationError

FIELD_TYPES = [
    ('signature', 'Signature'),
    ('text', 'Text input'),
    ('date', 'Date'),
    ('checkbox', 'Checkbox'),
]


class EsignFieldLayoutMixin(models.AbstractModel):
    """Where a field sits on a PDF page, shared by envelope and template fields.

    The rectangle is in PDF points with the origin at the page's bottom-left
    corner (PDF user space), exactly what the engine's FieldSpec expects, so
    nothing is converted between the editor, the database and the PDF.
    `page` is 1-based here because people read it; the engine's is 0-based.
    """
    _name = 'esign.field.layout.mixin'
    _description = 'Field position on a PDF page'
    _order = 'page, y1 desc, x1, id'

    field_type = fields.Selection(FIELD_TYPES, string='Field type', required=True, default='signature')
    label = fields.Char(string='Label', help='Shown to the signer in the checklist, e.g. "Company name".')
    required = fields.Boolean(string='Required', default=True)
    page = fields.Integer(string='Page', required=True, default=1, help='Page number, starting at 1.')
    x1 = fields.Float(string='Left (pt)', digits=(16, 2))
    y1 = fields.Float(string='Bottom (pt)', digits=(16, 2))
    x2 = fields.Float(string='Right (pt)', digits=(16, 2))
    y2 = fields.Float(string='Top (pt)', digits=(16, 2))

    @api.constrains('page', 'x1', 'y1', 'x2', 'y2')
    def _check_layout(self):
        for field in self:
            if field.page < 1:
                raise ValidationError(self.env._('A field must be on page 1 or later.'))
            rect = (field.x1, field.y1, field.x2, field.y2)
            # An all-zero rectangle is the invisible signature (no place on the page).
            if any(rect) and (field.x2 <= field.x1 or field.y2 <= field.y1 or min(rect) < 0):
                raise ValidationError(self.env._(
                    'The position of field "%(label)s" is not a valid rectangle on the page.',
                    label=field.label or field.field_type))

    def _layout_rect(self):
        self.ensure_one()
        return (self.x1, self.y1, self.x2, self.y2)

    def _layout_values(self):
        """The layout as plain values, for the field editor and for copying."""
        self.ensure_one()
        return {
            'field_type': self.field_type, 'label': self.label or '', 'required': self.required,
            'page': self.page, 'x1': self.x1, 'y1': self.y1, 'x2': self.x2, 'y2': self.y2,
        }
