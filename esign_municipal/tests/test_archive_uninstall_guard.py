import hashlib
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import config

from ..models.esign_contract import UNINSTALL_OPTION
from .archive_common import ArchiveCase
from .rpc_common import RpcAttackMixin


@tagged('post_install', '-at_install')
class TestArchiveUninstallGuard(RpcAttackMixin, HttpCase, ArchiveCase):
    """Marking the addon for removal ('to remove', which button_uninstall
    does for any administrator over RPC) does not unlock the archive: only
    a real uninstallation, running in Odoo's module loader, does. And that
    is refused while contracts must still be kept."""

    def setUp(self):
        super().setUp()
        self.envelope = self.complete_envelope()
        self.contract = self.envelope.contract_ids
        self.module = self.env['ir.module.module'].search([('name', '=', 'esign_municipal')])

    def snapshot(self):
        envelope, contract = self.envelope.sudo(), self.contract.sudo()
        document = envelope.document_ids
        blob = document.current_blob_id
        return {
            'envelope': envelope.read(['name', 'state', 'transaction_date'])[0],
            'contract': contract.read(['name', 'amount', 'retention_until'])[0],
            'archived': contract.document_ids.read(['name', 'sha256'])[0],
            'signed_pdf': hashlib.sha256(document._read_pdf('current')).hexdigest(),
            'blob': blob.read(['name', 'size'])[0],
            'ciphertext': blob.attachment_id.checksum,
            'log': self.env['esign.operation.log'].sudo().search_read([], ['event', 'details'], order='id'),
        }

    def test_uninstall_refused_while_contracts_must_be_kept(self):
        self.authenticate('admin', 'admin')
        error = self.assert_rpc_refused('ir.module.module', 'button_uninstall', [self.module.ids],
                                        errors=('odoo.exceptions.UserError',), message='retention period')
        self.assertIn(UNINSTALL_OPTION, error['message'])
        self.assertEqual(self.module.state, 'installed')
        # Through an addon it depends on, too.
        hsm = self.env['ir.module.module'].search([('name', '=', 'esign_hsm')])
        self.assert_rpc_refused('ir.module.module', 'button_uninstall', [hsm.ids],
                                errors=('odoo.exceptions.UserError',), message='retention period')
        self.assertEqual((self.module | hsm).mapped('state'), ['installed', 'installed'])

    def test_marked_for_removal_the_archive_stays_locked(self):
        before = self.snapshot()
        self.authenticate('admin', 'admin')
        # The server's operator allowed the uninstallation; the administrator
        # only marks the addon, and then tries to change the archive.
        with patch.dict(config.options, {UNINSTALL_OPTION: 'True'}):
            _result, error = self.call_kw('ir.module.module', 'button_uninstall', [self.module.ids])
        self.assertIsNone(error)
        self.module.invalidate_recordset()
        self.assertEqual(self.module.state, 'to remove')

        envelope, contract = self.envelope.sudo(), self.contract.sudo()
        document = envelope.document_ids
        blob = document.current_blob_id
        log_row = self.env['esign.operation.log'].sudo().search([('envelope_ref', '=', envelope.id)], limit=1)
        attacks = [
            ('esign.envelope', 'write', [envelope.ids, {'transaction_date': '2020-01-01'}]),
            ('esign.envelope', 'unlink', [envelope.ids]),
            ('esign.contract', 'write', [contract.ids, {'amount': 1}]),
            ('esign.contract', 'unlink', [contract.ids]),
            ('esign.contract.document', 'write', [contract.document_ids.ids, {'sha256': '0' * 64}]),
            ('esign.contract.document', 'unlink', [contract.document_ids.ids]),
            ('esign.document', 'write', [document.ids, {'name': 'Other'}]),
            ('esign.document', 'unlink', [document.ids]),
            ('esign.signer', 'unlink', [envelope.signer_ids.ids]),
            ('esign.vault.blob', 'write', [blob.ids, {'name': 'other.pdf'}]),
            ('esign.vault.blob', 'unlink', [blob.ids]),
            ('ir.attachment', 'write', [blob.attachment_id.ids, {'raw': 'Zm9yZ2Vk'}]),
            ('ir.attachment', 'unlink', [blob.attachment_id.ids]),
            ('esign.operation.log', 'write', [log_row.ids, {'details': '{}'}]),
            ('esign.operation.log', 'unlink', [log_row.ids]),
        ]
        for model, method, args in attacks:
            with self.subTest(model=model, method=method):
                self.assert_rpc_refused(model, method, args)
        # Not the access rights: the guards themselves, which refuse the superuser too.
        superuser = self.env(su=True)
        for attempt in (lambda: contract.with_env(superuser).unlink(),
                        lambda: envelope.with_env(superuser).unlink(),
                        lambda: blob.with_env(superuser).unlink(),
                        lambda: log_row.with_env(superuser).unlink(),
                        lambda: document.with_env(superuser).write({'name': 'Other'})):
            with self.assertRaises(UserError), self.env.cr.savepoint():
                attempt()
        self.env.invalidate_all()
        self.assertEqual(self.snapshot(), before)
