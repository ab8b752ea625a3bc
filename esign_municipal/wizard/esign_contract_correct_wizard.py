from odoo import api, fields, models

from ..models.esign_contract import CORRECTABLE_FIELDS


class EsignContractCorrectWizard(models.TransientModel):
    """The one way to change an archived contract: an administrator corrects
    its metadata, and each change is kept in the correction history
    (訂正削除履歴) with who, when, before, after and why."""
    _name = 'esign.contract.correct.wizard'
    _description = 'Correct the metadata of an archived contract'

    contract_id = fields.Many2one('esign.contract', string='Contract', required=True, readonly=True)
    name = fields.Char(string='Title', required=True)
    reference = fields.Char(string='Contract reference')
    transaction_date = fields.Date(string='Transaction date')
    currency_id = fields.Many2one('res.currency', string='Currency', required=True)
    amount = fields.Monetary(string='Transaction amount', currency_field='currency_id')
    partner_id = fields.Many2one('res.partner', string='Counterparty')
    contract_type_id = fields.Many2one('esign.contract.type', string='Contract type')
    department = fields.Char(string='Department')
    reason = fields.Text(string='Reason for the correction', required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        contract = self.env['esign.contract'].browse(values.get('contract_id') or self.env.context.get('active_id'))
        if contract:
            values['contract_id'] = contract.id
            for name in CORRECTABLE_FIELDS:
                if name in fields_list:
                    values[name] = contract._fields[name].convert_to_write(contract[name], contract)
        return values

    def action_confirm(self):
        self.ensure_one()
        new_values = {name: self._fields[name].convert_to_write(self[name], self) for name in CORRECTABLE_FIELDS}
        self.contract_id._esign_apply_correction(new_values, self.reason)
        return {'type': 'ir.actions.act_window_close'}
