import base64

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import human_size

from . import pdf_errors
from ..wizard.request_info import backoffice_request_info

PDF_KINDS = ('original', 'current')


class EsignDocument(models.Model):
    """One PDF of an envelope, shown as one tab to the signers.

    `original` is the uploaded file; `current` starts as the prepared PDF (all
    fields created before any signature) and is replaced by each signature's
    incremental update. Every read and write of PDF bytes goes through
    `_read_pdf` / `_write_pdf`, which keep them in esign_hsm's vault: each
    version encrypted under its own key, wrapped by the key-encryption key that
    lives outside the database. Nothing else reads or writes them.
    """
    _name = 'esign.document'
    _description = 'Envelope document'
    _inherit = ['esign.envelope.content.mixin']
    _esign_flow_fields = frozenset({'page_count', 'original_blob_id', 'current_blob_id'})
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
    original_blob_id = fields.Many2one('esign.vault.blob', string='Original file', readonly=True, copy=False,
                                       ondelete='restrict', groups='base.group_system')
    current_blob_id = fields.Many2one('esign.vault.blob', string='Current version', readonly=True, copy=False,
                                      ondelete='restrict', groups='base.group_system')
    has_file = fields.Boolean(compute='_compute_has_file', string='Has a PDF file')
    has_signed_version = fields.Boolean(compute='_compute_has_signed_version', string='Signed version available')

    @api.depends('original_blob_id')
    def _compute_has_file(self):
        for document in self:
            document.has_file = bool(document.sudo().original_blob_id)

    @api.depends('original_blob_id')
    def _compute_pdf_upload(self):
        """The uploaded PDF, for whoever reads the field, by whatever route
        (/web/content, RPC read, export): every read of the bytes is logged as
        a download. A form asks only for its size (_read_format); a record
        being edited in a form (onchange: no id yet) gets nothing."""
        for document in self:
            if not document.has_file or not isinstance(document.id, int):
                document.pdf_upload = False
                continue
            data = document._read_pdf('original')
            document.envelope_id.sudo()._esign_log(
                'download', document=document, request_info=backoffice_request_info(), kind='original',
                route='field')
            document.pdf_upload = base64.b64encode(data)

    def _inverse_pdf_upload(self):
        for document in self:
            if document.pdf_upload:
                document._esign_set_original(base64.b64decode(document.pdf_upload))

    @api.depends('envelope_id.state', 'current_blob_id')
    def _compute_has_signed_version(self):
        for document in self:
            document.has_signed_version = bool(document.sudo().current_blob_id) and \
                document.envelope_id.state != 'draft'


    def _read_format(self, fnames, load='_classic_read'):
        """The web client reads forms with bin_size: the size of the PDF comes
        from the vault's record, without decrypting (nor logging) the file."""
        context = self.env.context
        if 'pdf_upload' not in fnames or not (context.get('bin_size') or context.get('bin_size_pdf_upload')):
            return super()._read_format(fnames, load)
        result = super()._read_format([name for name in fnames if name != 'pdf_upload'], load)
        sizes = {document.id: document.sudo().original_blob_id.size for document in self}
        for values in result:
            size = sizes.get(values['id'])
            values['pdf_upload'] = human_size(size) if size else False
        return result

    # -- CRUD: the mixin freezes documents once the envelope is sent ---------

    def unlink(self):
        blobs = (self.sudo().original_blob_id | self.sudo().current_blob_id)
        result = super().unlink()
        self._esign_drop_blobs(blobs)
        return result

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        for document, vals in zip(self, vals_list):
            if document.has_file:
                vals['pdf_upload'] = base64.b64encode(document._read_pdf('original'))
        return vals_list

    # -- PDF bytes: the only two methods that touch them ---------------------

    def _write_pdf(self, kind, data, drop_previous=True):
        """Stores `data` (bytes) as this document's `kind` version, encrypted in the vault.

        The version it replaces is dropped, or with drop_previous=False returned
        for the caller to drop (one `_esign_drop_blobs` for several documents)."""
        self.ensure_one()
        if kind not in PDF_KINDS:
            raise ValueError(f'unknown PDF kind {kind!r}')
        field = f'{kind}_blob_id'
        document = self.sudo()
        previous = document[field]
        blob = self.env['esign.vault.blob']._store(
            bytes(data), f'{self.envelope_id.number or "draft"}-{self.id}-{kind}', company=self.company_id)
        super(EsignDocument, document).write({field: blob.id})
        other = document['current_blob_id' if kind == 'original' else 'original_blob_id']
        superseded = previous if previous != other else previous.browse()
        if drop_previous:
            self._esign_drop_blobs(superseded)
            return superseded.browse()
        return superseded

    def _read_pdf(self, kind):
        """Bytes of this document's `kind` version (`current` falls back to the original)."""
        self.ensure_one()
        if kind not in PDF_KINDS:
            raise ValueError(f'unknown PDF kind {kind!r}')
        document = self.sudo()
        blob = document[f'{kind}_blob_id'] or (kind == 'current' and document.original_blob_id)
        if not blob:
            raise UserError(self.env._('The document "%s" has no PDF file.', self.name))
        return blob._read()

    @api.model
    def _esign_drop_blobs(self, blobs):
        """A superseded version goes entirely (Odoo deletes the blob's ciphertext attachment with it)."""
        if blobs:
            blobs.sudo().exists().unlink()

    def _esign_file_name(self, kind):
        base = (self.filename or self.name or 'document').removesuffix('.pdf')
        if kind == 'current' and self.envelope_id.state == 'completed':
            return self.env._('%s (signed).pdf', base)
        return f'{base}.pdf'

    def _esign_set_original(self, data):
        """Checks that `data` is a PDF the service can sign, then stores it."""
        self.ensure_one()
        info = pdf_errors.inspect_pdf(self.env, data, self.name or self.filename)
        self._write_pdf('original', data)
        super(EsignDocument, self.sudo()).write({'page_count': info.page_count})
        current = self.sudo().current_blob_id
        if current:
            # A new original makes any prepared version obsolete.
            super(EsignDocument, self.sudo()).write({'current_blob_id': False})
            self._esign_drop_blobs(current)

    # -- downloads -----------------------------------------------------------

    def action_download_original(self):
        return self._esign_download_action('original')

    def action_download_signed(self):
        return self._esign_download_action('current')

    def _esign_download_action(self, kind):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_url',
            'url': self._esign_download_url(kind),
            'target': 'download',
        }

    def _esign_download_url(self, kind):
        """The back-office route that checks access, decrypts and logs (controllers/document_download)."""
        self.ensure_one()
        return f'/esign/document/{self.id}/{kind}'
