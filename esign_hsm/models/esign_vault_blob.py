import base64
import logging
import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import vault_crypto

_logger = logging.getLogger(__name__)

# Written once by _store, then never changed: a new version of a document is a new blob.
SEALED_FIELDS = {'kek_ref', 'wrapped_key', 'nonce', 'blob_uuid', 'attachment_id', 'size', 'company_id'}


class EsignVaultBlob(models.Model):
    """Bytes encrypted at rest, each blob under its own AES-256-GCM data key.

    The ciphertext is an ir.attachment (so in the filestore); the data key is
    stored here only wrapped by the key-encryption key, which is a file named by
    the server configuration (esign_kek_file) or a key in the company's HSM. The
    database and the filestore, even together, never hold the plaintext.

    Other parts call `_store(data, name)` and `blob._read()` (both private: not
    reachable over RPC) after their own access checks; the records themselves are
    readable by administrators only.
    """
    _name = 'esign.vault.blob'
    _description = 'Encrypted document'
    _order = 'id desc'

    name = fields.Char(string='Name', required=True, readonly=True)
    company_id = fields.Many2one('res.company', required=True, readonly=True, ondelete='restrict')
    mimetype = fields.Char(string='Content type', readonly=True)
    size = fields.Integer(string='Size (bytes)', readonly=True, help='Size of the plaintext')
    blob_uuid = fields.Char(string='Encryption identifier', required=True, readonly=True, copy=False,
                            help='Bound into the encryption, so a ciphertext cannot be moved to another record')
    kek_ref = fields.Char(string='Key-encryption key', required=True, readonly=True)
    wrapped_key = fields.Binary(string='Wrapped data key', attachment=False, required=True, readonly=True, copy=False)
    nonce = fields.Binary(string='Nonce', attachment=False, required=True, readonly=True, copy=False)
    attachment_id = fields.Many2one('ir.attachment', string='Ciphertext', readonly=True, ondelete='restrict',
                                    copy=False)

    _sql_constraints = [('blob_uuid_unique', 'UNIQUE(blob_uuid)', 'Each encrypted document has its own identifier.')]

    @api.model
    def _store(self, data, name, company=None, mimetype='application/pdf'):
        """Encrypt data under a fresh data key and store it; returns the blob record."""
        if not isinstance(data, bytes):
            raise TypeError('esign.vault.blob._store expects bytes')
        company = company or self.env.company
        blob_uuid = uuid.uuid4().hex
        custody = self.env['esign.key.custody']
        with custody._current_kek(company) as kek:
            sealed = vault_crypto.encrypt(data, kek, self._aad(blob_uuid))
        blob = self.sudo().create({
            'name': name,
            'company_id': company.id,
            'mimetype': mimetype,
            'size': len(data),
            'blob_uuid': blob_uuid,
            'kek_ref': sealed.kek_ref,
            'wrapped_key': base64.b64encode(sealed.wrapped_key),
            'nonce': base64.b64encode(sealed.nonce),
        })
        blob.attachment_id = self.env['ir.attachment'].sudo().create({
            'name': f'{name}.enc',
            'raw': sealed.ciphertext,
            'mimetype': 'application/octet-stream',  # never indexed, never previewed
            'res_model': self._name,
            'res_id': blob.id,
            'company_id': company.id,
        })
        return self.browse(blob.id)

    def _read(self):
        """The plaintext; a clear UserError when the KEK is missing or wrong, or the data was altered."""
        self.ensure_one()
        blob = self.sudo().with_context(bin_size=False)
        sealed = vault_crypto.EncryptedBlob(
            ciphertext=blob.attachment_id.raw or b'',
            nonce=base64.b64decode(blob.nonce),
            wrapped_key=base64.b64decode(blob.wrapped_key),
            kek_ref=blob.kek_ref)
        custody = self.env['esign.key.custody']
        with custody._kek_for_ref(blob.kek_ref, blob.company_id) as kek:
            return vault_crypto.decrypt(sealed, kek, self._aad(blob.blob_uuid))

    @staticmethod
    def _aad(blob_uuid):
        return f'esign.vault.blob:{blob_uuid}'.encode()

    def write(self, vals):
        if SEALED_FIELDS & set(vals) and any(blob.attachment_id for blob in self):
            raise UserError(self.env._('An encrypted document cannot be changed; store a new version instead.'))
        return super().write(vals)
