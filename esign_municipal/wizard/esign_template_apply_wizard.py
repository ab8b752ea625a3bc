from odoo import api, fields, models
from odoo.exceptions import UserError


class EsignTemplateApplyWizard(models.TransientModel):
    """Starts a draft envelope from a template: its documents, fields and a signer per role."""
    _name = 'esign.template.apply.wizard'
    _description = 'Start from a template'

    envelope_id = fields.Many2one('esign.envelope', string='Envelope', required=True)
    template_id = fields.Many2one('esign.template', string='Template', required=True)
    line_ids = fields.One2many('esign.template.apply.wizard.line', 'wizard_id', string='Signers',
                               compute='_compute_line_ids', store=True, readonly=False)

    @api.depends('template_id')
    def _compute_line_ids(self):
        for wizard in self:
            wizard.line_ids = [fields.Command.clear()] + [
                fields.Command.create({'role_id': role.id}) for role in wizard.template_id.role_ids]

    def action_apply(self):
        self.ensure_one()
        envelope = self.envelope_id
        missing = self.line_ids.filtered(lambda line: not line.partner_id)
        if missing:
            raise UserError(self.env._('Choose a contact for: %s.', ', '.join(missing.role_id.mapped('name'))))
        signers_by_role = {}
        for line in self.line_ids:
            signers_by_role[line.role_id] = self.env['esign.signer'].create({
                'envelope_id': envelope.id,
                'partner_id': line.partner_id.id,
                'role': line.role_id.role,
                'signing_order': line.role_id.signing_order,
            })
        template = self.template_id
        template._esign_apply_to(envelope, signers_by_role)
        envelope.write({
            'signing_mode': template.signing_mode,
            'contract_type_id': template.contract_type_id.id or envelope.contract_type_id.id,
            'signer_message': envelope.signer_message or template.signer_message,
        })
        envelope.message_post(body=self.env._('Documents and fields added from the template "%s".', template.name))
        return {'type': 'ir.actions.act_window_close'}


class EsignTemplateApplyWizardLine(models.TransientModel):
    _name = 'esign.template.apply.wizard.line'
    _description = 'Signer for a template role'

    wizard_id = fields.Many2one('esign.template.apply.wizard', required=True, ondelete='cascade')
    role_id = fields.Many2one('esign.template.role', string='Role', required=True)
    partner_id = fields.Many2one('res.partner', string='Contact')
