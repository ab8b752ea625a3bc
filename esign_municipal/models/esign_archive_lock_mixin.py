from odoo import api, models
from odoo.exceptions import UserError

from ..tools import archive_guard

# What may still change on a locked record: its chatter and activities.
ALWAYS_WRITABLE_PREFIXES = ('message_', 'activity_', 'website_message')


class EsignArchiveLockMixin(models.AbstractModel):
    """Archived records cannot be changed or deleted through the ORM by anyone.

    Added to a model with `_inherit = [model, 'esign.archive.lock.mixin']`,
    which places these overrides below every other override of the model in
    the method resolution order: a `super(..., self.sudo()).write()` deep in
    another override still lands here. Superuser and sudo() are refused like
    anyone else; only the code paths that open archive_guard.unlocked(...)
    get through (corrections, timestamp renewal, deletion after the retention
    period).
    """
    _name = 'esign.archive.lock.mixin'
    _description = 'Archived record lock'

    # The archive_guard reasons that may delete a locked record.
    _esign_unlink_reasons = (archive_guard.RETENTION_DELETE,)

    def _esign_locked(self):
        """The records of self that are archived (to be overridden)."""
        return self.browse()

    @api.model
    def _esign_parents_locked(self, vals_list):
        """Whether records created with vals_list would join an archived record."""
        return False

    def _esign_lock_error(self):
        return UserError(self.env._(
            'This contract is archived: its documents and data can no longer be changed or deleted. '
            'An administrator can correct its data with "Correct metadata", which keeps a correction record.'))

    @api.model_create_multi
    def create(self, vals_list):
        if self._esign_parents_locked(vals_list) and not _unlocked_for_write() and \
                not archive_guard.module_being_removed(self.env):
            raise self._esign_lock_error()
        return super().create(vals_list)

    def write(self, vals):
        locked_fields = [name for name in vals if not name.startswith(ALWAYS_WRITABLE_PREFIXES)]
        if locked_fields and not _unlocked_for_write() and self._esign_locked() and \
                not archive_guard.module_being_removed(self.env):
            raise self._esign_lock_error()
        return super().write(vals)

    def unlink(self):
        if not any(archive_guard.is_unlocked(reason) for reason in self._esign_unlink_reasons) and \
                self._esign_locked() and not archive_guard.module_being_removed(self.env):
            raise self._esign_lock_error()
        return super().unlink()


def _unlocked_for_write():
    return any(archive_guard.is_unlocked(reason) for reason in (
        archive_guard.CORRECTION, archive_guard.RENEWAL, archive_guard.ARCHIVING, archive_guard.VERIFICATION,
        archive_guard.RETENTION_DELETE))
