import base64

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import pdf_engine

PDF_KINDS = ('original', 'current')


class EsignDocument(models.Model):
    """One PDF of an envelope, shown as one tab to the signers.

    `original` is the uploaded file; `current` starts as the prepared PDF (all
    fields created before any signature) and is replaced by each signature's
    incremental update. Every read and write of PDF bytes goes through
    `_read_pdf` / `_write_pdf`, so that where the bytes live (attachments now,
    the encrypted vault of esign_hsm later) is decided in one place.
    """
    _name = 'esign.document'
    _description = 'Envelope document'
    _inherit = ['esign.envelope.content.mixin']
    _esign_flow_fields = frozenset({'page_count', 'original_attachment_id', 'current_attachment_id'})
    _order = 'envelope_id, sequence, id'

    envelope_id = fields.Many2one('esign.envelope', string='Envelope', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='envelope_id.company_id', store=True, index=True)
    envelope_state = fields.Selection(related='envelope_id.state', string='Envelope status')
    name = fields.Char(string='Document', required=True)
    sequence = fields.Integer(string='Tab order', default=10)
    filename = fields.Char(string='File name')
    page_count = fields.Integer(string='Pages', readonly=True, copy=False)
    field_ids = fields.One2many('esign.field', 'document_id', string='Fields', copy=False)
    source = fields.Selection(
        [('upload', 'Uploaded'), ('template', 'Template'), ('order_report', 'Purchase order'),
         ('order_attachment', 'Attachment of the order')], string='Source', required=True, default='upload')
    pdf_upload = fields.Binary(string='PDF file', compute='_compute_pdf_upload', inverse='_inverse_pdf_upload')
    original_attachment_id = fields.Many2one('ir.attachment', string='Original file', readonly=True, copy=False,
                                             ondelete='restrict')
    current_attachment_id = fields.Many2one('ir.attachment', string='Current version', readonly=True, copy=False,
                                            ondelete='restrict')
    has_signed_version = fields.Boolean(compute='_compute_has_signed_version', string='Signed version available')

    @api.depends('original_attachment_id')
    def _compute_pdf_upload(self):
        for document in self:
            # Only the size is needed by the form; the bytes are downloaded separately.
            document.pdf_upload = document.original_attachment_id and base64.b64encode(
                document._read_pdf('original'))

    def _inverse_pdf_upload(self):
        for document in self:
            if document.pdf_upload:
                document._esign_set_original(base64.b64decode(document.pdf_upload))

    @api.depends('envelope_id.state', 'current_attachment_id')
    def _compute_has_signed_version(self):
        for document in self:
            document.has_signed_version = bool(document.current_attachment_id) and \
                document.envelope_id.state not in ('draft',)

    # -- CRUD: the mixin freezes documents once the envelope is sent ---------

    def unlink(self):
        attachments = (self.original_attachment_id | self.current_attachment_id).sudo()
        result = super().unlink()
        attachments.unlink()
        return result

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        for document, vals in zip(self, vals_list):
            if document.original_attachment_id:
                vals['pdf_upload'] = base64.b64encode(document._read_pdf('original'))
        return vals_list

    # -- PDF bytes: the only two methods that touch them ---------------------

    def _write_pdf(self, kind, data):
        """Stores `data` as this document's `kind` version and returns nothing."""
        self.ensure_one()
        if kind not in PDF_KINDS:
            raise ValueError(f'unknown PDF kind {kind!r}')
        field = f'{kind}_attachment_id'
        previous = self[field]
        attachment = self.env['ir.attachment'].sudo().create({
            'name': self._esign_file_name(kind),
            'raw': data,
            'mimetype': 'application/pdf',
            'res_model': self._name,
            'res_id': self.id,
        })
        super(EsignDocument, self.sudo()).write({field: attachment.id})
        other = self['current_attachment_id' if kind == 'original' else 'original_attachment_id']
        if previous and previous != other:
            previous.sudo().unlink()

    def _read_pdf(self, kind):
        """Bytes of this document's `kind` version (`current` falls back to the original)."""
        self.ensure_one()
        if kind not in PDF_KINDS:
            raise ValueError(f'unknown PDF kind {kind!r}')
        attachment = self.sudo()[f'{kind}_attachment_id']
        if not attachment and kind == 'current':
            attachment = self.sudo().original_attachment_id
        if not attachment:
            raise UserError(self.env._('The document "%s" has no PDF file.', self.name))
        return attachment.raw

    def _esign_file_name(self, kind):
        base = (self.filename or self.name or 'document').removesuffix('.pdf')
        if kind == 'current' and self.envelope_id.state == 'completed':
            return self.env._('%s (signed).pdf', base)
        return f'{base}.pdf'

    def _esign_set_original(self, data):
        """Checks that `data` is a PDF the service can sign, then stores it."""
        self.ensure_one()
        info = pdf_engine.inspect_pdf(self.env, data, self.name or self.filename)
        self._write_pdf('original', data)
        super(EsignDocument, self.sudo()).write({'page_count': info.page_count})
        if self.current_attachment_id:
            # A new original makes any prepared version obsolete.
            attachment = self.current_attachment_id
            super(EsignDocument, self.sudo()).write({'current_attachment_id': False})
            attachment.sudo().unlink()

    # -- downloads -----------------------------------------------------------

    def action_download_original(self):
        return self._esign_download_action('original')

    def action_download_signed(self):
        return self._esign_download_action('current')

    def _esign_download_action(self, kind):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_url',
            'url': f'/esign/document/{self.id}/{kind}',
            'target': 'download',
        }
