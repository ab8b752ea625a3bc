import contextlib
import hashlib
import logging

from odoo import api, models
from odoo.exceptions import AccessDenied
from odoo.tools import str2bool

from ..engine.ip_allowlist import AllowListError, is_allowed, parse_allowlist
from .request_address import client_address
from .res_config_settings import IP_ALLOWLIST_PARAM, MFA_PARAM
from .staff_access_messages import IP_REFUSED, bilingual

_logger = logging.getLogger(__name__)

# Staff of Electronic Contracts: the manager group implies both.
STAFF_GROUPS = 'esign_municipal.group_esign_user,esign_municipal.group_esign_auditor'


def _hash_oauth_token(token):
    return 'sha256:' + hashlib.sha256(token.encode()).hexdigest()


class ResUsers(models.Model):
    _inherit = 'res.users'

    # --- who is staff, and what the policy asks of them -------------------

    def _esign_is_staff(self):
        self.ensure_one()
        return self.sudo().has_groups(STAFF_GROUPS)

    def _esign_mfa_missing(self):
        """Whether two-factor authentication is required and this staff
        member has not enabled it (Odoo's auth_totp)."""
        self.ensure_one()
        required = str2bool(self.env['ir.config_parameter'].sudo().get_param(MFA_PARAM) or 'False')
        return required and self._esign_is_staff() and not self.sudo().totp_enabled

    @api.model
    def _esign_staff_networks(self):
        """The allow-list as networks: () when there is none, None when the
        stored list is invalid (changed by hand outside Settings). An
        invalid list lets no address through: a broken restriction must not
        silently become no restriction."""
        text = self.env['ir.config_parameter'].sudo().get_param(IP_ALLOWLIST_PARAM) or ''
        try:
            return parse_allowlist(text)
        except AllowListError as error:
            _logger.warning('Electronic Contracts: the staff IP allow-list is invalid (%s); '
                            'staff access is refused from every address until it is fixed.', error)
            return None

    def _esign_address_refused(self, address):
        """Whether this staff member may not work from ``address``."""
        self.ensure_one()
        networks = self._esign_staff_networks()
        if networks == ():
            return False
        return self._esign_is_staff() and (networks is None or not is_allowed(address, networks))

    def _esign_session_refusal(self):
        """Why this user may not touch e-contract data in the current HTTP
        call (web client, JSON-RPC, XML-RPC): 'mfa', 'ip' or None. Only HTTP
        calls count: crons, the mail gateway and the shell act for the
        server, not for a person who logged in."""
        self.ensure_one()
        address = client_address()
        if address is None:
            return None
        if self._esign_mfa_missing():
            return 'mfa'
        if self._esign_address_refused(address):
            return 'ip'
        return None

    # --- login -------------------------------------------------------------

    def _check_credentials(self, credential, env):
        """Refuse a staff login (password, API key for RPC, SSO token) from
        outside the allow-list, once the credentials themselves are right:
        a wrong password learns nothing about who is staff."""
        if credential.get('type') == 'oauth_token' and credential.get('token'):
            # compared with the hash stored by _auth_oauth_signin below
            credential = dict(credential, token=_hash_oauth_token(credential['token']))
        auth_info = super()._check_credentials(credential, env)
        self.env.user._esign_refuse_address()
        return auth_info

    @classmethod
    def check(cls, db, uid, passwd):
        """XML-RPC and JSON-RPC calls check their credentials here, through
        a cache that skips _check_credentials once a password has been
        accepted; the address is checked on every call."""
        result = super().check(db, uid, passwd)
        if client_address() is not None:
            with contextlib.closing(cls.pool.cursor()) as cr:
                api.Environment(cr, uid, {}).user._esign_refuse_address()
        return result

    def _esign_refuse_address(self):
        """Raise AccessDenied (and log) when this staff member calls from an
        address outside the allow-list."""
        address = client_address()
        if address is not None and self._esign_address_refused(address):
            self.env['esign.access.refusal']._esign_record_refusal('ip', self)
            raise AccessDenied(bilingual(IP_REFUSED, ip=address))

    # --- SSO (auth_oauth): the provider's access token is a credential ----

    @api.model
    def _auth_oauth_validate(self, provider, access_token):
        # Odoo treats a token the identity provider rejects (or an
        # unreachable provider) as a server error; for the person it is a
        # refused login, so say so without an error in the server log.
        try:
            return super()._auth_oauth_validate(provider, access_token)
        except AccessDenied:
            raise
        except Exception as error:
            # Odoo raises a bare Exception carrying the provider's error code
            # (invalid_token ...); other errors may quote the URL, and so the
            # token when it travels in the query string: name only their type.
            detail = error.args[0] if type(error) is Exception and error.args else type(error).__name__
            _logger.warning('SSO login refused: identity provider #%s did not validate the token (%s)',
                            provider, detail)
            raise AccessDenied() from error

    @api.model
    def _auth_oauth_signin(self, provider, validation, params):
        # Odoo keeps the last access token to check the session against it;
        # keep only its hash, so the database never holds a usable token.
        params = dict(params, access_token=_hash_oauth_token(params['access_token']))
        # Only people an administrator created and linked to the provider
        # log in: an identity Odoo does not know is refused, never turned
        # into a new account (Odoo would sign it up as a portal user while
        # free sign-up, auth_signup's default, is on).
        return super(ResUsers, self.with_context(no_user_creation=True))._auth_oauth_signin(
            provider, validation, params)
