import datetime
import hmac as hmac_lib
import secrets

from odoo import api, fields, models
from odoo.tools.misc import hmac

OTP_STATES = [
    ('active', 'Active'),
    ('used', 'Used'),
    ('locked', 'Locked after too many wrong entries'),
    ('replaced', 'Replaced by a newer code'),
]
HMAC_SCOPE = 'esign_municipal.otp'


class EsignSignerOtp(models.Model):
    """A one-time code (認証コード) mailed to a signer.

    Only a keyed hash of the code is stored (HMAC with the database secret
    and a per-code salt). Each code counts its wrong entries; at the limit
    it is locked and the signer must ask for a new one. Sending is rate
    limited per signer and per address (esign.portal.throttle).
    """
    _name = 'esign.signer.otp'
    _description = 'One-time code of a signer (hashed)'
    # Created as superuser for whoever asks for the code: their personal
    # ir.default (which sudo() keeps, being the user's) or a `default_` key of
    # code already running as superuser must not give a code more tries or
    # another state. No user may create or write codes (administrators only
    # read them): nothing to refuse in the values.
    _inherit = ['esign.flow.fields.mixin']
    _esign_flow_fields = frozenset({
        'signer_id', 'salt', 'code_hash', 'expires_at', 'attempts', 'state', 'requested_ip'})
    _order = 'id desc'

    signer_id = fields.Many2one('esign.signer', string='Signer', required=True, ondelete='cascade', index=True)
    salt = fields.Char(required=True)
    code_hash = fields.Char(required=True)
    expires_at = fields.Datetime(string='Valid until', required=True)
    attempts = fields.Integer(string='Wrong entries', default=0)
    state = fields.Selection(OTP_STATES, string='Status', required=True, default='active')
    requested_ip = fields.Char(string='Requested from')

    @api.model
    def _hash(self, salt, code):
        return hmac(self.env(su=True), HMAC_SCOPE, f'{salt}:{code}')

    @api.model
    def _issue(self, signer, length, validity_minutes, ip=None):
        """Replaces the signer's active code with a new one; returns (record, clear code)."""
        self.sudo().search([('signer_id', '=', signer.id), ('state', '=', 'active')]).write({'state': 'replaced'})
        code = f'{secrets.randbelow(10 ** length):0{length}d}'
        salt = secrets.token_hex(8)
        record = self.sudo().create({
            'signer_id': signer.id,
            'salt': salt,
            'code_hash': self._hash(salt, code),
            'expires_at': fields.Datetime.now() + datetime.timedelta(minutes=validity_minutes),
            'requested_ip': (ip or '')[:64] or False,
        })
        return record, code

    def _is_expired(self):
        self.ensure_one()
        return self.expires_at <= fields.Datetime.now()

    def _matches(self, code):
        self.ensure_one()
        return hmac_lib.compare_digest(self.code_hash, self._hash(self.salt, code))

    def _count_wrong_entry(self, max_attempts):
        """Adds one wrong entry under row lock (two tabs guessing at once
        cannot both get the last try); locks the code at the limit.
        Returns the number of tries left."""
        self.ensure_one()
        self.env.cr.execute(
            'UPDATE esign_signer_otp SET attempts = attempts + 1 WHERE id = %s RETURNING attempts', [self.id])
        attempts = self.env.cr.fetchone()[0]
        self.invalidate_recordset(['attempts'])
        if attempts >= max_attempts:
            self.sudo().write({'state': 'locked'})
        return max(max_attempts - attempts, 0)

    @api.autovacuum
    def _gc_old_codes(self):
        limit = fields.Datetime.now() - datetime.timedelta(days=30)
        self.sudo().search([('expires_at', '<', limit)]).unlink()
