import json

from odoo import api, fields, models

from ..tools import archive_guard


class EsignContractCorrection(models.Model):
    """訂正削除履歴: one row per corrected field of an archived contract, or per
    contract deleted after its retention period. Kept forever: nobody can
    change or delete a row through the ORM, and a row outlives its contract
    (the contract's number and data are copied into it)."""
    _name = 'esign.contract.correction'
    _description = 'Correction history entry'
    _inherit = ['esign.append.only.mixin']
    _esign_append_reason = archive_guard.CORRECTION
    _order = 'id desc'
    _rec_name = 'contract_number'

    kind = fields.Selection([('correction', 'Correction'), ('deletion', 'Deletion')], string='Kind',
                            required=True, readonly=True)
    contract_id = fields.Many2one('esign.contract', string='Contract', readonly=True, index=True,
                                  ondelete='set null')
    contract_number = fields.Char(string='Contract number', required=True, readonly=True, index=True)
    company_id = fields.Many2one('res.company', string='Company', required=True, readonly=True, index=True)
    corrected_at = fields.Datetime(string='When', required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one('res.users', string='Who', readonly=True, ondelete='set null')
    user_name = fields.Char(string='Name of who', readonly=True)
    field_name = fields.Char(string='Field (technical)', readonly=True)
    field_label = fields.Char(string='Field', readonly=True)
    value_before = fields.Text(string='Before', readonly=True)
    value_after = fields.Text(string='After', readonly=True)
    reason = fields.Text(string='Reason', readonly=True)

    def _esign_append_only_messages(self):
        _ = self.env._
        return (_('The correction history is written by the system only.'),
                _('The correction history cannot be changed.'),
                _('The correction history is kept forever and cannot be deleted.'))

    @api.model
    def _esign_common(self, contract, reason):
        user = self.env.user
        return {'contract_id': contract.id, 'contract_number': contract.number,
                'company_id': contract.company_id.id, 'user_id': user.id, 'user_name': user.name,
                'reason': reason, 'corrected_at': fields.Datetime.now()}

    @api.model
    def _esign_record_changes(self, contract, before, after, reason):
        common = self._esign_common(contract, reason)
        vals_list = [dict(common, kind='correction', field_name=name,
                          field_label=contract._fields[name]._description_string(self.env),
                          value_before=before[name], value_after=after[name]) for name in before]
        with archive_guard.unlocked(archive_guard.CORRECTION):
            return self.sudo().create(vals_list)

    @api.model
    def _esign_record_deletion(self, contract):
        """What the deleted contract was, kept after it is gone."""
        snapshot = {
            'title': contract.name, 'reference': contract.reference or '',
            'transaction_date': str(contract.transaction_date or ''),
            'amount': contract.amount, 'currency': contract.currency_id.name,
            'counterparty': contract.partner_id.display_name or '',
            'contract_type': contract.contract_type_id.name or '', 'department': contract.department or '',
            'archived_at': str(contract.archived_at), 'retention_until': str(contract.retention_until),
            'documents': [{'name': d.name, 'sha256': d.sha256} for d in contract.document_ids],
        }
        vals = dict(self._esign_common(contract, self.env._('Retention period over')), kind='deletion',
                    value_before=json.dumps(snapshot, ensure_ascii=False, sort_keys=True), value_after=False)
        with archive_guard.unlocked(archive_guard.CORRECTION):
            return self.sudo().create(vals)
