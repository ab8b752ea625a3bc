import base64

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import pdf_engine


class EsignTemplateDocument(models.Model):
    """A blank standard form (PDF) in a template, with its field layout."""
    _name = 'esign.template.document'
    _description = 'Template document'
    _order = 'template_id, sequence, id'

    template_id = fields.Many2one('esign.template', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='template_id.company_id', store=True)
    name = fields.Char(string='Document', required=True)
    sequence = fields.Integer(string='Tab order', default=10)
    pdf_file = fields.Binary(string='PDF file', attachment=True, required=True)
    filename = fields.Char(string='File name')
    page_count = fields.Integer(string='Pages', compute='_compute_page_count', store=True)
    field_ids = fields.One2many('esign.template.field', 'document_id', string='Fields', copy=True)

    @api.depends('pdf_file')
    def _compute_page_count(self):
        for document in self:
            document.page_count = document.pdf_file and pdf_engine.inspect_pdf(
                self.env, document._read_pdf(), document.name or document.filename).page_count

    def _read_pdf(self):
        self.ensure_one()
        data = self.with_context(bin_size=False).pdf_file
        if not data:
            raise UserError(self.env._('The template document "%s" has no PDF file.', self.name))
        return base64.b64decode(data)
