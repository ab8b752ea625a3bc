import base64

from cryptography.hazmat.primitives import serialization

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.certificate.models.key import _get_formatted_value

from ..engine import sealed_key


class CertificateKey(models.Model):
    """Private keys sealed under the key-encryption key.

    Odoo's certificate.key keeps its password (`password`) in clear and caches the
    key as unencrypted PEM (`pem_key`). A sealed key uses neither: `content` holds
    the key as encrypted PKCS#8 under a random passphrase, and only that passphrase,
    wrapped by the KEK (a key file outside the database, or the HSM), is stored here.
    A database dump alone therefore never yields the key.
    """
    _inherit = 'certificate.key'

    esign_sealed = fields.Boolean(string='Sealed by the key-encryption key', readonly=True, copy=False)
    esign_kek_ref = fields.Char(string='Key-encryption key', readonly=True, copy=False)
    esign_wrapped_passphrase = fields.Binary(string='Wrapped passphrase', attachment=False, readonly=True, copy=False,
                                             groups='base.group_system')
    esign_public_pem = fields.Binary(string='Public key (PEM)', attachment=False, readonly=True, copy=False)

    @api.depends('content', 'password', 'esign_sealed')
    def _compute_pem_key(self):
        sealed = self.filtered('esign_sealed')
        for key in sealed:
            key.pem_key = False  # never the clear PEM Odoo would cache here
            key.public = False
            key.loading_error = ''
        super(CertificateKey, self - sealed)._compute_pem_key()

    def write(self, vals):
        if {'content', 'password', 'esign_wrapped_passphrase'} & set(vals) and self.filtered('esign_sealed'):
            raise UserError(self.env._('A sealed key cannot be changed; import a new key instead.'))
        return super().write(vals)

    def unlink(self):
        certificates = self.env['certificate.certificate'].sudo().search([('private_key_id', 'in', self.ids)])
        if self.env['esign.witness.key'].sudo().search_count([('certificate_id', 'in', certificates.ids),
                                                              ('state', '!=', 'pending')]):
            raise UserError(self.env._('This key belongs to a witness key and cannot be deleted.'))
        return super().unlink()

    def _esign_sealed(self):
        self.ensure_one()
        key = self.sudo().with_context(bin_size=False)
        return sealed_key.SealedKey(encrypted_pem=base64.b64decode(key.content),
                                    wrapped_passphrase=base64.b64decode(key.esign_wrapped_passphrase),
                                    kek_ref=key.esign_kek_ref)

    def _esign_unseal(self):
        """The private key as a `cryptography` object, in memory only."""
        self.ensure_one()
        custody = self.env['esign.key.custody']
        sealed = self._esign_sealed()
        with custody._kek_for_ref(sealed.kek_ref, self.company_id) as kek, custody._custody_errors():
            return sealed_key.unseal_private_key(sealed, kek)

    def _get_public_key_bytes(self, encoding='der', formatting='encodebytes'):
        if not self.esign_sealed:
            return super()._get_public_key_bytes(encoding=encoding, formatting=formatting)
        public_pem = base64.b64decode(self.with_context(bin_size=False).esign_public_pem)
        if encoding == 'der':
            public_pem = serialization.load_pem_public_key(public_pem).public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return _get_formatted_value(public_pem, formatting=formatting)

    def _sign(self, message, hashing_algorithm='sha256', formatting='encodebytes'):
        if not self.esign_sealed:
            return super()._sign(message, hashing_algorithm=hashing_algorithm, formatting=formatting)
        # Odoo's own signing, fed the encrypted PEM and its unwrapped passphrase: no clear PEM anywhere.
        sealed = self._esign_sealed()
        custody = self.env['esign.key.custody']
        with custody._kek_for_ref(sealed.kek_ref, self.company_id) as kek, custody._custody_errors():
            passphrase = kek.unwrap(sealed.wrapped_passphrase)
        return self._sign_with_key(message, base64.b64encode(sealed.encrypted_pem), pwd=passphrase,
                                   hashing_algorithm=hashing_algorithm, formatting=formatting)

    def _decrypt(self, message, hashing_algorithm='sha256'):
        if self.esign_sealed:
            raise UserError(self.env._('A sealed witness key signs; it does not decrypt.'))
        return super()._decrypt(message, hashing_algorithm=hashing_algorithm)
