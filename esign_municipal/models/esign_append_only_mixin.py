from odoo import api, models
from odoo.exceptions import UserError

from ..tools import archive_guard


class EsignAppendOnlyMixin(models.AbstractModel):
    """Rows written only by the system (through archive_guard.unlocked(reason))
    and never changed or deleted through the ORM, superuser included: the
    operation log and the correction history."""
    _name = 'esign.append.only.mixin'
    _description = 'Append-only record'

    # The archive_guard reason that lets the system write rows.
    _esign_append_reason = None

    def _esign_append_only_messages(self):
        """(create, write, unlink) refusals, for the clerk."""
        raise NotImplementedError

    @api.model_create_multi
    def create(self, vals_list):
        if not archive_guard.is_unlocked(self._esign_append_reason):
            raise UserError(self._esign_append_only_messages()[0])
        return super().create(vals_list)

    def write(self, vals):
        if archive_guard.module_being_removed(self.env):
            return super().write(vals)
        raise UserError(self._esign_append_only_messages()[1])

    def unlink(self):
        if archive_guard.module_being_removed(self.env):
            return super().unlink()
        raise UserError(self._esign_append_only_messages()[2])
