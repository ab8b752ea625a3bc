from odoo import models

from ..tools import archive_guard

# The vault blobs that hold archived files: both versions of every document of
# a completed envelope, its audit certificate, and every archived document.
ARCHIVED_BLOBS_SQL = """
    SELECT d.original_blob_id FROM esign_document d JOIN esign_envelope e ON e.id = d.envelope_id
     WHERE e.state = 'completed' AND d.original_blob_id IS NOT NULL
    UNION SELECT d.current_blob_id FROM esign_document d JOIN esign_envelope e ON e.id = d.envelope_id
     WHERE e.state = 'completed' AND d.current_blob_id IS NOT NULL
    UNION SELECT e.audit_certificate_blob_id FROM esign_envelope e
     WHERE e.state = 'completed' AND e.audit_certificate_blob_id IS NOT NULL
    UNION SELECT cd.blob_id FROM esign_contract_document cd WHERE cd.blob_id IS NOT NULL
"""


class EsignVaultBlob(models.Model):
    """Encrypted files of archived contracts are locked like the contracts
    (esign.archive.lock.mixin). A renewal (延長タイムスタンプ) replaces a version
    by one that extends it, and drops the old one."""
    _name = 'esign.vault.blob'
    _inherit = ['esign.vault.blob', 'esign.archive.lock.mixin']
    _esign_unlink_reasons = (archive_guard.RETENTION_DELETE, archive_guard.RENEWAL)

    def _esign_locked(self):
        if not self.ids or archive_guard.module_being_removed(self.env):
            return self.browse()
        self.env.flush_all()
        self.env.cr.execute(f'SELECT id FROM esign_vault_blob WHERE id = ANY(%s) AND id IN ({ARCHIVED_BLOBS_SQL})',
                            [self.ids])
        return self.browse([row[0] for row in self.env.cr.fetchall()])
