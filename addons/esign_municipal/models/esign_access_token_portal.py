import datetime

from odoo import api, fields, models

from .esign_access_token import hash_token

# How long an expired or revoked link is remembered (by its hash only), so
# that whoever opens it later reads why it no longer works ("the envelope
# expired", "the download period is over") instead of a bare "not found".
EXPIRED_LINK_MEMORY_DAYS = 400


class EsignAccessToken(models.Model):
    """The portal's view of link tokens: revoked links are expired, not
    deleted, and are remembered for a while so the pages can explain them."""
    _inherit = 'esign.access.token'

    revoked_at = fields.Datetime(string='Revoked on', readonly=True)

    def _is_usable(self):
        """True for a token that still opens its page (not expired, not revoked)."""
        self.ensure_one()
        return not self.revoked_at and self.expires_at > fields.Datetime.now()

    @api.model
    def _lookup_any(self, signer_id, token, scope):
        """The token record matching (signer, clear token, scope), whether
        still usable or not; an empty recordset when the token was never
        issued for that signer and scope (guessed, tampered, another
        signer's or another envelope's)."""
        if not token or not isinstance(token, str) or len(token) > 128:
            return self.browse()
        return self.sudo().search([
            ('token_hash', '=', hash_token(token)),
            ('signer_id', '=', int(signer_id)),
            ('scope', '=', scope),
        ], limit=1)

    def _revoke(self):
        """Ends these tokens now; the hash stays, for the explanation pages."""
        now = fields.Datetime.now()
        live = self.sudo().filtered(lambda token: not token.revoked_at)
        for token in live:
            token.write({'revoked_at': now, 'expires_at': min(token.expires_at, now)})

    @api.autovacuum
    def _gc_expired(self):
        limit = fields.Datetime.now() - datetime.timedelta(days=EXPIRED_LINK_MEMORY_DAYS)
        self.sudo().search([('expires_at', '<', limit)]).unlink()
