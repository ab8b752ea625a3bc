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
    """
    _name = 'esign.template.document'
    _description = 'Template document'
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
        missing = [vals.get('name') or '' for vals in vals_list if not vals.get('pdf_file')]
        if missing:
            raise UserError(self.env._('The template document "%s" has no PDF file.', missing[0]))
        return super().create(vals_list)

    def unlink(self):
        blobs = self.sudo().blob_id
        result = super().unlink()
        blobs.exists().unlink()
        return result

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        for document, vals in zip(self, vals_list):
            vals.setdefault('pdf_file', document.pdf_file)  # the copy gets a blob of its own
        return vals_list

    # -- PDF bytes -----------------------------------------------------------------

    def _esign_set_pdf(self, data):
        """Checks that `data` is a PDF the service can sign, then stores it
        encrypted; the version it replaces goes."""
        self.ensure_one()
        info = pdf_errors.inspect_pdf(self.env, data, self.name or self.filename)
        document = self.sudo()
        previous = document.blob_id
        blob = self.env['esign.vault.blob']._store(
            data, f'template-{self.template_id.id}-{self.id}', company=self.company_id or self.env.company)
        document.write({'blob_id': blob.id, 'page_count': info.page_count})
        previous.unlink()
        self._esign_legacy_attachment().unlink()

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
