import datetime
import hashlib
import secrets

from odoo import api, fields, models

TOKEN_SCOPES = [('sign', 'Signing'), ('download', 'Download')]
# An expired link still explains itself for this long, then it is forgotten.
GC_AFTER_DAYS = 180


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class EsignAccessToken(models.Model):
    """A link token mailed to a signer. Only its SHA-256 is stored: whoever
    reads the database (or a backup) cannot rebuild a working link.

    Each mail gets its own token (invitation, each reminder, the completion
    mail), so the token never has to be read back. When the envelope closes
    the signing tokens are revoked, not deleted: an old link still tells the
    portal whose it was, so it can say "cancelled" or "expired" instead of
    "not found". Tokens are deleted some months after they expired.
    """
    _name = 'esign.access.token'
    _description = 'Signer link token (hashed)'
    # Created as superuser while a staff member sends or reminds: their personal
    # ir.default (which sudo() keeps, being the user's) or a `default_` key of
    # code already running as superuser must not mail a dead link. No user may
    # create or write tokens (administrators only read them): nothing to refuse
    # in the values.
    _inherit = ['esign.flow.fields.mixin']
    _esign_flow_fields = frozenset({'signer_id', 'scope', 'token_hash', 'expires_at', 'revoked_at'})
    _order = 'id desc'

    signer_id = fields.Many2one('esign.signer', required=True, ondelete='cascade', index=True)
    scope = fields.Selection(TOKEN_SCOPES, required=True)
    token_hash = fields.Char(required=True, index=True)
    expires_at = fields.Datetime(required=True)
    revoked_at = fields.Datetime()

    _sql_constraints = [('token_hash_unique', 'UNIQUE (token_hash)', 'Token collision.')]

    @api.model
    def _issue(self, signer, scope, expires_at):
        token = secrets.token_urlsafe(32)
        self.sudo().create({'signer_id': signer.id, 'scope': scope, 'token_hash': hash_token(token),
                            'expires_at': expires_at})
        return token

    @api.model
    def _resolve(self, signer_id, token, scope):
        """(token record, status) for a clear token of (signer, scope); status is
        'valid', 'expired', 'revoked' or, with an empty record, 'unknown'."""
        if not token or not isinstance(token, str) or len(token) > 128:
            return self.browse(), 'unknown'
        try:
            signer_id = int(signer_id)
        except (TypeError, ValueError):
            return self.browse(), 'unknown'
        record = self.sudo().search([
            ('token_hash', '=', hash_token(token)), ('signer_id', '=', signer_id), ('scope', '=', scope),
        ], limit=1)
        if not record:
            return record, 'unknown'
        if record.revoked_at:
            return record, 'revoked'
        if record.expires_at <= fields.Datetime.now():
            return record, 'expired'
        return record, 'valid'

    def _revoke(self):
        self.sudo().filtered(lambda token: not token.revoked_at).write({'revoked_at': fields.Datetime.now()})

    @api.autovacuum
    def _gc_expired(self):
        limit = fields.Datetime.now() - datetime.timedelta(days=GC_AFTER_DAYS)
        self.sudo().search([('expires_at', '<', limit)]).unlink()
