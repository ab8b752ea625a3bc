from odoo import fields, models
from odoo.exceptions import UserError


class EsignTemplate(models.Model):
    """A standard contract form: its documents, the signer roles and where each role signs."""
    _name = 'esign.template'
    _description = 'Envelope template'
    _order = 'sequence, name'
    _check_company_auto = True

    name = fields.Char(string='Template', required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one('res.company', string='Company', default=lambda self: self.env.company,
                                 help='Leave empty to share between companies.')
    contract_type_id = fields.Many2one('esign.contract.type', string='Contract type', check_company=True)
    signing_mode = fields.Selection(
        [('sequential', 'In order'), ('parallel', 'In parallel')], string='Signing order',
        required=True, default='sequential')
    signer_message = fields.Text(string='Message to the signers', translate=True)
    document_ids = fields.One2many('esign.template.document', 'template_id', string='Documents', copy=True)
    role_ids = fields.One2many('esign.template.role', 'template_id', string='Signer roles', copy=True)

    def copy(self, default=None):
        # A document's fields belong to roles of its own template: the copies' documents
        # get theirs once the roles are copied too, each on the matching copied role.
        copies = super(EsignTemplate, self.with_context(esign_template_copy=True)).copy(default).with_env(self.env)
        for template, copy in zip(self, copies):
            roles = dict(zip(template.role_ids, copy.role_ids))
            for document, copied in zip(template.document_ids, copy.document_ids):
                for field in document.field_ids:
                    field.copy({'document_id': copied.id, 'role_id': roles[field.role_id].id})
        return copies

    def unlink(self):
        # The documents' encrypted files go with them (the database's cascade would leave them).
        self.document_ids.unlink()
        return super().unlink()

    def action_open_field_editor(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.client',
            'tag': 'esign_field_editor',
            'name': self.env._('Place fields: %s', self.name),
            'params': {'model': self._name, 'res_id': self.id},
        }

    def _esign_apply_to(self, envelope, signers_by_role):
        """Adds this template's documents and fields to a draft envelope.

        `signers_by_role`: {esign.template.role: esign.signer} for every role
        that has fields; a role without a signer is a clear error.
        """
        self.ensure_one()
        envelope._esign_check_draft()
        missing = self.document_ids.field_ids.role_id.filtered(lambda role: not signers_by_role.get(role))
        if missing:
            raise UserError(self.env._(
                'The template "%(template)s" needs a signer for: %(roles)s.',
                template=self.name, roles=', '.join(missing.mapped('name'))))
        last = max(envelope.document_ids.mapped('sequence'), default=0)
        for position, template_document in enumerate(self.document_ids, start=1):
            document = self.env['esign.document'].create({
                'envelope_id': envelope.id,
                'name': template_document.name,
                'sequence': last + position * 10,
                'filename': template_document.filename,
                'source': 'template',
            })
            document._esign_set_original(template_document._read_pdf())
            self.env['esign.field'].create([
                dict(field._layout_values(), document_id=document.id, signer_id=signers_by_role[field.role_id].id)
                for field in template_document.field_ids
            ])
        return envelope

    # -- the field editor (OWL client action esign_field_editor) ---------------------

    def esign_editor_load(self):
        self.ensure_one()
        self.check_access('read')
        Field = self.env['esign.template.field']
        return {
            'title': self.name,
            'readonly': not self.has_access('write'),
            'field_types': Field._fields['field_type']._description_selection(self.env),
            'documents': [{'id': document.id, 'name': document.name, 'page_count': document.page_count,
                           'url': f'/web/content/esign.template.document/{document.id}/pdf_file',
                           'signed_form': document._esign_editor_signed_form()}
                          for document in self.document_ids],
            'parties': [{'id': role.id, 'name': role.name, 'color': role.color} for role in self.role_ids],
            'fields': self.document_ids.field_ids._layout_editor_values('role_id'),
        }

    def esign_editor_save(self, fields_data):
        self.ensure_one()
        self.check_access('write')
        self.env['esign.template.field']._layout_sync(self.document_ids.field_ids, fields_data, self.document_ids,
                                                      self.role_ids, 'role_id')
        return True
