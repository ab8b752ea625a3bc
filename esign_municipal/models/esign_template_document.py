import base64
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from . import pdf_errors

_logger = logging.getLogger(__name__)


class EsignTemplateDocument(models.Model):
    """A blank standard form (PDF) in a template, with its field layout.

    The PDF is kept in esign_hsm's vault like every other document, encrypted
    under its own key: `pdf_file` only reads and writes it through
    `_esign_pdf_bytes` / `_esign_set_pdf`. A form stored before the vault held
    them (a plain attachment of pdf_file) is still read from there; it moves
    into the vault when the addon is updated, when its PDF is replaced, or at
    the next daily clean-up.

    `form_signature` records, when the PDF is stored, whether it is already
    signed elsewhere: such a form takes only signature fields (anything else
    would break its signature), which each field placed on it is checked
    against without decrypting the form again. Only that storing sets it
    (a flow field: template managers may write the rest of the record).
    """
    _name = 'esign.template.document'
    _description = 'Template document'
    _inherit = ['esign.flow.fields.mixin']
    _esign_flow_fields = frozenset({'form_signature'})
    _order = 'template_id, sequence, id'

    template_id = fields.Many2one('esign.template', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='template_id.company_id', store=True)
    name = fields.Char(string='Document', required=True)
    sequence = fields.Integer(string='Tab order', default=10)
    pdf_file = fields.Binary(string='PDF file', compute='_compute_pdf_file', inverse='_inverse_pdf_file')
    blob_id = fields.Many2one('esign.vault.blob', string='Encrypted file', readonly=True, copy=False,
                              ondelete='restrict', groups='base.group_system')
    filename = fields.Char(string='File name')
    page_count = fields.Integer(string='Pages', readonly=True, copy=False)
    field_ids = fields.One2many('esign.template.field', 'document_id', string='Fields', copy=True)
    # Empty for a form stored before this was recorded: see _esign_form_is_signed.
    form_signature = fields.Selection(
        [('unsigned', 'Not signed'), ('signed', 'Signed elsewhere')], string='Form signatures', readonly=True,
        copy=False, help='Whether the form already carries a signature made elsewhere, read from the PDF when it '
                         'is stored: then only signature fields can be placed on it.')

    @api.depends('blob_id')
    def _compute_pdf_file(self):
        with self.env['esign.key.custody']._kek_scope():
            for document in self:
                data = document._esign_pdf_bytes()
                document.pdf_file = data and base64.b64encode(data)

    def _inverse_pdf_file(self):
        with self.env['esign.key.custody']._kek_scope():
            for document in self:
                if document.pdf_file:
                    document._esign_set_pdf(base64.b64decode(document.pdf_file))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._esign_check_flow_fields(vals)
        missing = [vals.get('name') or '' for vals in vals_list if not vals.get('pdf_file')]
        if missing:
            raise UserError(self.env._('The template document "%s" has no PDF file.', missing[0]))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._esign_check_flow_fields(vals)
        return super().write(vals)

    def unlink(self):
        blobs = self.sudo().blob_id
        result = super().unlink()
        blobs.exists().unlink()
        return result

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        for document, vals in zip(self, vals_list):
            vals.setdefault('pdf_file', document.pdf_file)  # the copy gets a blob of its own
            if self.env.context.get('esign_template_copy'):
                vals.pop('field_ids', None)  # esign.template.copy() places them on the copied roles
        return vals_list

    # -- PDF bytes -----------------------------------------------------------------

    def _esign_set_pdf(self, data):
        """Checks that `data` is a PDF the service can sign, and one that takes the
        fields already placed on the form, then stores it encrypted; the version
        it replaces goes."""
        self.ensure_one()
        name = self.name or self.filename
        info = pdf_errors.inspect_pdf(self.env, data, name)
        in_the_way = self.field_ids.filtered(lambda field: field.field_type != 'signature')
        if info.signature_count and in_the_way:
            types = dict(in_the_way._fields['field_type']._description_selection(self.env))
            raise UserError(self.env._(
                '%(refusal)s Remove its text, date and checkbox fields (%(fields)s) before replacing the form.',
                refusal=pdf_errors.signed_form_message(self.env, name),
                fields=', '.join(field.label or types[field.field_type] for field in in_the_way)))
        document = self.sudo()
        previous = document.blob_id
        blob = self.env['esign.vault.blob']._store(
            data, f'template-{self.template_id.id}-{self.id}', company=self.company_id or self.env.company)
        document.write({'blob_id': blob.id, 'page_count': info.page_count,
                        'form_signature': 'signed' if info.signature_count else 'unsigned'})
        previous.unlink()
        self._esign_legacy_attachment().unlink()

    def _esign_form_is_signed(self):
        """Whether the form is already signed elsewhere, as recorded when it was
        stored. A form stored before that was recorded is read (decrypted) once,
        here, and recorded then; a document without a PDF yet has none."""
        self.ensure_one()
        if not self.form_signature:
            data = self._esign_pdf_bytes()
            if not data:
                return False
            info = pdf_errors.inspect_pdf(self.env, data, self.name or self.filename)
            self.sudo().form_signature = 'signed' if info.signature_count else 'unsigned'
        return self.form_signature == 'signed'

    def _esign_editor_signed_form(self):
        """For the field editor's note: a form that cannot be read now (its
        problem is said where it matters, when a field is placed or an envelope
        sent) must not keep the editor from opening."""
        try:
            return self._esign_form_is_signed()
        except UserError:
            return False

    def _esign_pdf_bytes(self):
        """The PDF, or None when there is none yet."""
        self.ensure_one()
        if not self.id:
            return None
        blob = self.sudo().blob_id
        if blob:
            return blob._read()
        return self._esign_legacy_attachment().raw or None

    @api.model
    @api.autovacuum
    def _gc_esign_forms_in_clear(self):
        """Forms still kept as plain attachments move into the vault as they are
        (not checked again: they were accepted when uploaded). One that cannot
        be encrypted now (key-encryption key unavailable) stays, and is tried again."""
        for attachment in self.env['ir.attachment'].sudo().search(
                [('res_model', '=', self._name), ('res_field', '=', 'pdf_file')]):
            document = self.sudo().browse(attachment.res_id).exists()
            try:
                with self.env.cr.savepoint():
                    if document and not document.blob_id and attachment.raw:
                        blob = self.env['esign.vault.blob']._store(
                            attachment.raw, f'template-{document.template_id.id}-{document.id}',
                            company=document.company_id or self.env.company)
                        document.write({'blob_id': blob.id})
                    attachment.unlink()
            except UserError as error:
                _logger.warning('template form %s stays in clear until the next clean-up: %s', document.id, error)

    def _esign_legacy_attachment(self):
        """The form as stored before the vault held it: a plain attachment of pdf_file."""
        return self.env['ir.attachment'].sudo().search([
            ('res_model', '=', self._name), ('res_field', '=', 'pdf_file'), ('res_id', '=', self.id)], limit=1)

    def _read_pdf(self):
        self.ensure_one()
        data = self._esign_pdf_bytes()
        if not data:
            raise UserError(self.env._('The template document "%s" has no PDF file.', self.name))
        return data
