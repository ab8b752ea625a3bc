import datetime
import hashlib
import secrets

from odoo import api, fields, models

TOKEN_SCOPES = [('sign', 'Signing'), ('download', 'Download')]


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class EsignAccessToken(models.Model):
    """A link token mailed to a signer. Only its SHA-256 is stored: whoever
    reads the database (or a backup) cannot rebuild a working link.

    Each mail gets its own token (invitation, each reminder, the completion
    mail), so the token never has to be read back; all of a signer's tokens
    are revoked together when the envelope closes.
    """
    _name = 'esign.access.token'
    _description = 'Signer link token (hashed)'
    _order = 'id desc'

    signer_id = fields.Many2one('esign.signer', required=True, ondelete='cascade', index=True)
    scope = fields.Selection(TOKEN_SCOPES, required=True)
    token_hash = fields.Char(required=True, index=True)
    expires_at = fields.Datetime(required=True)

    _sql_constraints = [('token_hash_unique', 'UNIQUE (token_hash)', 'Token collision.')]

    @api.model
    def _issue(self, signer, scope, expires_at):
        token = secrets.token_urlsafe(32)
        self.sudo().create({'signer_id': signer.id, 'scope': scope, 'token_hash': hash_token(token),
                            'expires_at': expires_at})
        return token

    @api.model
    def _find(self, signer_id, token, scope):
        """The token record matching (signer, clear token, scope) and not expired, or an empty recordset."""
        if not token or not isinstance(token, str) or len(token) > 128:
            return self.browse()
        return self.sudo().search([
            ('token_hash', '=', hash_token(token)),
            ('signer_id', '=', int(signer_id)),
            ('scope', '=', scope),
            ('expires_at', '>', fields.Datetime.now()),
        ], limit=1)

    @api.autovacuum
    def _gc_expired(self):
        limit = fields.Datetime.now() - datetime.timedelta(days=1)
        self.sudo().search([('expires_at', '<', limit)]).unlink()
