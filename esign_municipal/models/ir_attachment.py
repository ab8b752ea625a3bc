from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import archive_guard
from .esign_vault_blob_lock import ARCHIVED_BLOBS_SQL

# The content of a file: what an archived attachment must keep.
CONTENT_FIELDS = frozenset({'raw', 'datas', 'db_datas', 'store_fname', 'file_size', 'checksum', 'mimetype',
                            'name', 'res_model', 'res_id', 'res_field', 'type', 'url', 'company_id'})
ARCHIVE_MODELS = ('esign.vault.blob',)
# Wizards whose PDF uploads become encrypted documents; the wizards remove
# them when done, the autovacuum those of wizards left unfinished.
UPLOAD_WIZARDS = ('esign.purchase.wizard', 'esign.contract.register.wizard')


class IrAttachment(models.Model):
    """The files of archived contracts (the ciphertexts of their vault blobs:
    signed PDFs, audit certificates, registered contracts) cannot be changed
    or deleted through the ORM by anyone; see esign.archive.lock.mixin and
    esign_vault_blob_lock."""
    _inherit = 'ir.attachment'

    def _esign_archived(self):
        """The attachments of self that hold an archived file."""
        if not self.ids:
            return self.browse()
        self.env.flush_all()
        cr = self.env.cr
        cr.execute('SELECT id FROM ir_attachment WHERE id = ANY(%s) AND res_model = ANY(%s)',
                   [self.ids, list(ARCHIVE_MODELS)])
        candidates = [row[0] for row in cr.fetchall()]
        # While the addon is uninstalled its tables go away: nothing is guarded any more.
        if not candidates or archive_guard.module_being_removed(self.env):
            return self.browse()
        cr.execute(f"""
            SELECT b.attachment_id FROM esign_vault_blob b
             WHERE b.attachment_id = ANY(%(ids)s) AND b.id IN ({ARCHIVED_BLOBS_SQL})
        """, {'ids': candidates})
        return self.browse([row[0] for row in cr.fetchall()])

    @api.autovacuum
    def _gc_esign_wizard_uploads(self):
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=1)
        self.sudo().search([('res_model', 'in', UPLOAD_WIZARDS), ('create_date', '<', limit)]).unlink()

    def _esign_refuse(self):
        raise UserError(self.env._('This file belongs to an archived contract and can no longer be changed or '
                                   'deleted.'))

    def write(self, vals):
        if CONTENT_FIELDS & set(vals) and not _writable() and self._esign_archived():
            self._esign_refuse()
        return super().write(vals)

    def unlink(self):
        deletable = archive_guard.is_unlocked(archive_guard.RETENTION_DELETE) or \
            archive_guard.is_unlocked(archive_guard.RENEWAL)
        if not deletable and self._esign_archived():
            self._esign_refuse()
        return super().unlink()


def _writable():
    return archive_guard.is_unlocked(archive_guard.RETENTION_DELETE) or \
        archive_guard.is_unlocked(archive_guard.RENEWAL)
