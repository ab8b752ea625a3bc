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

    @api.model
    def _layout_sync(self, existing, incoming, documents, parties, party_field):
        """Makes `existing` (this model's records) what the field editor sent.

        incoming: [{id or False, document_id, party_id, field_type, label,
        required, page, x1, y1, x2, y2}]; ids, documents and parties outside
        the ones given are refused, so the editor cannot reach other records.
        """
        kept = self.browse()
        to_create = []
        for item in incoming:
            if item.get('document_id') not in documents.ids or item.get('party_id') not in parties.ids:
                raise ValidationError(self.env._('A field refers to a document or a signer of another envelope.'))
            values = {
                'document_id': item['document_id'],
                party_field: item['party_id'],
                'field_type': item.get('field_type') or 'signature',
                'label': (item.get('label') or '')[:200],
                'required': bool(item.get('required')),
                'page': int(item.get('page') or 1),
                **{corner: float(item.get(corner) or 0) for corner in ('x1', 'y1', 'x2', 'y2')},
            }
            record = existing.filtered(lambda field: field.id == item.get('id'))
            if item.get('id') and not record:
                raise ValidationError(self.env._('A field refers to a document or a signer of another envelope.'))
            if record:
                changed = {key: value for key, value in values.items()
                           if (record[key].id if hasattr(record[key], 'id') else record[key]) != value}
                if changed:
                    record.write(changed)
                kept |= record
            else:
                to_create.append(values)
        (existing - kept).unlink()
        return kept | self.create(to_create)

    def _layout_editor_values(self, party_field):
        return [dict(field._layout_values(), id=field.id, document_id=field.document_id.id,
                     party_id=field[party_field].id) for field in self]

    def _layout_values(self):
        """The layout as plain values, for the field editor and for copying."""
        self.ensure_one()
        return {
            'field_type': self.field_type, 'label': self.label or '', 'required': self.required,
            'page': self.page, 'x1': self.x1, 'y1': self.y1, 'x2': self.x2, 'y2': self.y2,
        }
