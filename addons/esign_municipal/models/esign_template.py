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
        existing = len(envelope.document_ids)
        for position, template_document in enumerate(self.document_ids, start=existing + 1):
            document = self.env['esign.document'].create({
                'envelope_id': envelope.id,
                'name': template_document.name,
                'sequence': position * 10,
                'filename': template_document.filename,
                'source': 'template',
            })
            document._esign_set_original(template_document._read_pdf())
            self.env['esign.field'].create([
                dict(field._layout_values(), document_id=document.id, signer_id=signers_by_role[field.role_id].id)
                for field in template_document.field_ids
            ])
        return envelope
