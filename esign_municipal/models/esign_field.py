import datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.fields import field_spec, form_field_name, signature_field_name

TEXT_MAX_LENGTH = 200
CHECKBOX_VALUES = {'true': 'true', '1': 'true', 'on': 'true', 'yes': 'true',
                   'false': '', '0': '', 'off': '', 'no': '', '': ''}


class EsignField(models.Model):
    """A field a signer fills (or signs) on a page of a document."""
    _name = 'esign.field'
    _description = 'Signer field'
    _inherit = ['esign.field.layout.mixin', 'esign.envelope.content.mixin']
    _esign_flow_fields = frozenset({'value'})
    _order = 'document_id, page, y1 desc, x1, id'

    document_id = fields.Many2one('esign.document', string='Document', required=True, ondelete='cascade', index=True)
    signer_id = fields.Many2one('esign.signer', string='Signer', required=True, ondelete='cascade', index=True)
    envelope_id = fields.Many2one(related='document_id.envelope_id', store=True, index=True)
    company_id = fields.Many2one(related='document_id.company_id', store=True)
    value = fields.Char(string='Value', readonly=True, copy=False)

    @api.constrains('document_id', 'signer_id')
    def _check_same_envelope(self):
        for field in self:
            if field.document_id.envelope_id != field.signer_id.envelope_id:
                raise ValidationError(self.env._('A field must belong to a signer of the same envelope.'))

    @api.constrains('field_type', 'document_id', 'signer_id')
    def _check_one_signature_per_document(self):
        # The engine names a signer's signature field FIELD_<envelope>_<signer>,
        # so a signer has at most one signature per document.
        for field in self.filtered(lambda f: f.field_type == 'signature'):
            twins = field.document_id.field_ids.filtered(
                lambda f: f.field_type == 'signature' and f.signer_id == field.signer_id)
            if len(twins) > 1:
                raise ValidationError(self.env._(
                    '%(signer)s already has a signature field on "%(document)s": one per document is enough.',
                    signer=field.signer_id.name, document=field.document_id.name))

    @api.constrains('page', 'document_id')
    def _check_page_exists(self):
        for field in self:
            if field.document_id.page_count and field.page > field.document_id.page_count:
                raise ValidationError(self.env._(
                    '"%(document)s" has %(count)s page(s); a field cannot be on page %(page)s.',
                    document=field.document_id.name, count=field.document_id.page_count, page=field.page))

    @api.model
    def _esign_envelopes_of(self, vals_list):
        documents = self.env['esign.document'].browse({vals.get('document_id') for vals in vals_list} - {None, False})
        return documents.envelope_id

    # -- what the engine sees --------------------------------------------------

    def _esign_pdf_name(self):
        """The PDF form field name agreed with the engine (engine/fields.py)."""
        self.ensure_one()
        number = self.envelope_id.number
        if self.field_type == 'signature':
            return signature_field_name(number, self.signer_id.id)
        return form_field_name(self.field_type, number, self.signer_id.id, self.id)

    def _esign_field_spec(self):
        self.ensure_one()
        visible = self.field_type != 'signature' or self.signer_id.signature_type == 'visible'
        return field_spec(
            name=self._esign_pdf_name(), kind=self.field_type, page=self.page - 1, rect=self._layout_rect(),
            label=self.label or '', required=self.required, signer_key=str(self.signer_id.id), visible=visible)

    def _esign_clean_value(self, raw):
        """The value to store for what the signer entered, or a ValidationError."""
        self.ensure_one()
        label = self.label or dict(self._fields['field_type'].selection)[self.field_type]
        if self.field_type == 'signature':
            return ''
        if raw is None or raw is False:
            raw = ''
        if not isinstance(raw, (str, bool, int)):
            raise ValidationError(self.env._('The value of "%s" is not valid.', label))
        if self.field_type == 'checkbox':
            value = CHECKBOX_VALUES.get(str(raw).strip().lower())
            if value is None:
                raise ValidationError(self.env._('"%s" can only be ticked or left empty.', label))
        else:
            value = str(raw).strip()
            if self.field_type == 'date' and value:
                try:
                    value = datetime.date.fromisoformat(value).isoformat()
                except ValueError as exc:
                    raise ValidationError(self.env._(
                        '"%s" must be a date like 2026-04-01.', label)) from exc
            if len(value) > TEXT_MAX_LENGTH:
                raise ValidationError(self.env._(
                    '"%(label)s" is too long: at most %(max)s characters.', label=label, max=TEXT_MAX_LENGTH))
            if any(ord(char) < 32 and char not in '\t' for char in value):
                raise ValidationError(self.env._('"%s" contains characters that cannot be printed.', label))
        if self.required and not value:
            raise ValidationError(self.env._('"%s" is required.', label))
        return value

    def _esign_engine_value(self):
        """What the engine writes into the PDF field.

        Every field of the signer gets a value in the signer's own revision,
        even one left blank: a field the signature locks (FieldMDP) but that
        has no value yet is touched again by the final timestamp revision,
        which then invalidates the signature; and the engine cannot fill an
        empty string (no glyph to measure). A blank is therefore one space.
        """
        self.ensure_one()
        if self.field_type == 'checkbox':
            return bool(self.value)
        return self.value or ' '
