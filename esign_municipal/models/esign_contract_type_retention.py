from odoo import models

from ..tools import archive_guard


class EsignContractType(models.Model):
    """A longer retention period applies at once to the contracts of the type
    already archived; a shorter one only to contracts archived from now on
    (what was promised to be kept stays kept). Every change is logged."""
    _name = 'esign.contract.type'
    _inherit = ['esign.contract.type', 'esign.settings.audit.mixin']

    def write(self, vals):
        result = super().write(vals)
        if 'retention_years' in vals:
            Contract = self.env['esign.contract'].sudo()
            for contract_type in self:
                with archive_guard.unlocked(archive_guard.CORRECTION):
                    for contract in Contract.search([('contract_type_id', '=', contract_type.id)]):
                        until = Contract._esign_retention_until(contract.archived_at, contract_type)
                        if until > contract.retention_until:
                            contract.write({'retention_until': until})
        return result
