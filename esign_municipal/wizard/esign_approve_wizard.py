from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.esign_field_layout_mixin import FIELD_TYPES
from .request_info import backoffice_request_info


class EsignApproveWizard(models.TransientModel):
    """An internal approver fills their fields and signs from the back office:
    only for themself (esign.wizard.target.mixin)."""
    _name = 'esign.approve.wizard'
    _inherit = ['esign.wizard.target.mixin']
    _description = 'Sign an envelope'
    _esign_target_checks = {'signer_id': '_esign_check_my_signer'}

    signer_id = fields.Many2one('esign.signer', string='Signer', required=True)
    envelope_id = fields.Many2one(related='signer_id.envelope_id')
    line_ids = fields.One2many('esign.approve.wizard.line', 'wizard_id', string='Fields',
                               compute='_compute_line_ids', store=True, readonly=False)
    confirmed = fields.Boolean(string='I have read the documents and approve them')

    @api.depends('signer_id')
    def _compute_line_ids(self):
        for wizard in self:
            fields_to_fill = wizard.signer_id.sudo().field_ids.filtered(lambda f: f.field_type != 'signature')
            wizard.line_ids = [fields.Command.clear()] + [
                fields.Command.create({'field_id': field.id}) for field in fields_to_fill]

    def action_sign(self):
        self.ensure_one()
        signer = self.signer_id
        self._esign_check_my_signer(signer.id)
        if not self.confirmed:
            raise UserError(self.env._('Tick the confirmation that you approve the documents, then sign.'))
        values = {line.field_id.id: line._value() for line in self.line_ids}
        signer._complete_signing(values, backoffice_request_info())
        return {'type': 'ir.actions.act_window_close'}


class EsignApproveWizardLine(models.TransientModel):
    _name = 'esign.approve.wizard.line'
    _inherit = ['esign.wizard.target.mixin']
    _description = 'Field to fill when signing'
    _esign_target_checks = {'field_id': '_esign_check_my_field'}

    wizard_id = fields.Many2one('esign.approve.wizard', required=True, ondelete='cascade')
    field_id = fields.Many2one('esign.field', string='Signer field', required=True)
    label = fields.Char(compute='_compute_from_field', string='Field')
    field_type = fields.Selection(FIELD_TYPES, compute='_compute_from_field', string='Field type')
    required = fields.Boolean(compute='_compute_from_field', string='Required')
    document_name = fields.Char(compute='_compute_from_field', string='Document')
    value_text = fields.Char(string='Text')
    value_date = fields.Date(string='Date')
    value_checkbox = fields.Boolean(string='Ticked')

    @api.depends('field_id')
    def _compute_from_field(self):
        for line in self:
            field = line.field_id.sudo()
            line.label = field.label or dict(field._fields['field_type'].selection).get(field.field_type)
            line.field_type = field.field_type
            line.required = field.required
            line.document_name = field.document_id.name

    def _value(self):
        self.ensure_one()
        if self.field_type == 'date':
            return self.value_date and self.value_date.isoformat() or ''
        if self.field_type == 'checkbox':
            return 'true' if self.value_checkbox else ''
        return self.value_text or ''
