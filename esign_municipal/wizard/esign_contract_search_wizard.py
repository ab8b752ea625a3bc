import re

from odoo import fields, models
from odoo.exceptions import UserError


class EsignContractSearchWizard(models.TransientModel):
    """Search of the archive by the keys of 電子帳簿保存法: 取引年月日 and
    取引金額 as ranges, 取引先, in any combination, and records where any of
    them is empty."""
    _name = 'esign.contract.search.wizard'
    _description = 'Search archived contracts'

    date_from = fields.Date(string='Transaction date from')
    date_to = fields.Date(string='Transaction date to')
    date_empty = fields.Boolean(string='Without transaction date')
    amount_min = fields.Char(string='Amount from', help='For example 1,000,000')
    amount_max = fields.Char(string='Amount to')
    amount_empty = fields.Boolean(string='Without amount')
    partner_id = fields.Many2one('res.partner', string='Counterparty')
    partner_empty = fields.Boolean(string='Without counterparty')
    contract_type_id = fields.Many2one('esign.contract.type', string='Contract type')
    department = fields.Char(string='Department')
    text = fields.Char(string='Title or number')

    def _esign_amount(self, raw, label):
        if not raw or not raw.strip():
            return None
        cleaned = re.sub(r'[,\s¥￥円]', '', raw.strip())
        try:
            return float(cleaned)
        except ValueError as exc:
            raise UserError(self.env._('%(label)s must be a number, for example 1,000,000 (not "%(value)s").',
                                       label=label, value=raw)) from exc

    def _esign_domain(self):
        """The search domain of these criteria (all of them must hold)."""
        self.ensure_one()
        _ = self.env._
        if self.date_empty and (self.date_from or self.date_to):
            raise UserError(_('Search either records without a transaction date or a range of dates, not both.'))
        if self.amount_empty and (self.amount_min or self.amount_max):
            raise UserError(_('Search either records without an amount or a range of amounts, not both.'))
        if self.partner_empty and self.partner_id:
            raise UserError(_('Search either records without a counterparty or one counterparty, not both.'))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UserError(_('The first transaction date comes after the last one.'))
        amount_min = self._esign_amount(self.amount_min, _('Amount from'))
        amount_max = self._esign_amount(self.amount_max, _('Amount to'))
        if amount_min is not None and amount_max is not None and amount_min > amount_max:
            raise UserError(_('The lower amount is larger than the upper amount.'))
        return self.env['esign.contract']._esign_search_domain(
            date_from=self.date_from, date_to=self.date_to, date_empty=self.date_empty,
            amount_min=amount_min, amount_max=amount_max, amount_empty=self.amount_empty,
            partner=self.partner_id, partner_empty=self.partner_empty, contract_type=self.contract_type_id,
            department=self.department, text=self.text)

    def action_search(self):
        domain = self._esign_domain()
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Contract management'),
            'res_model': 'esign.contract',
            'view_mode': 'list,form',
            'domain': domain,
            'target': 'main',
        }
