from odoo import models

from ..tools import archive_guard


class EsignContractType(models.Model):
    """A longer retention period applies at once to the contracts of the type
    already archived; a shorter one only to contracts archived from now on
    (what was promised to be kept stays kept)."""
    _inherit = 'esign.contract.type'

    def write(self, vals):
        before = {contract_type.id: (contract_type.retention_years, contract_type.name) for contract_type in self}
        result = super().write(vals)
        if 'retention_years' in vals:
            Contract = self.env['esign.contract'].sudo()
            for contract_type in self:
                contracts = Contract.search([('contract_type_id', '=', contract_type.id)])
                with archive_guard.unlocked(archive_guard.CORRECTION):
                    for contract in contracts:
                        until = Contract._esign_retention_until(contract.archived_at, contract_type)
                        if until > contract.retention_until:
                            contract.write({'retention_until': until})
        tracked = {'retention_years', 'name', 'active', 'company_id'} & set(vals)
        if tracked:
            for contract_type in self:
                self.env['esign.operation.log']._esign_record(
                    'settings', res_model=self._name, res_id=contract_type.id,
                    changes={name: {'before': before[contract_type.id][0] if name == 'retention_years' else None,
                                    'after': contract_type[name] if name != 'company_id'
                                    else contract_type.company_id.display_name} for name in tracked},
                    contract_type=before[contract_type.id][1])
        return result
