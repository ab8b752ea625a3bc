"""Who may open a signer's pages, and the headers every one of those pages carries.

The emailed link carries a token in its path. The first request exchanges
it for a grant kept in the visitor's Odoo session (a server-side record
behind the HttpOnly session cookie) and redirects to the same page without
the token, so the token never sits in the address bar, in the browser
history, in a Referer, or in the access log of later requests. A grant
points at the token record it came from: when the token expires or is
revoked, the grant stops opening the page too.

A logged-in user who is the signer (a portal contractor logging in with the
address the request was sent to, or the internal approver: see
esign.signer._esign_logged_in_domain) needs no token; a portal user always
enters the one-time code mailed to that address, once per session.
"""
import base64
import hashlib
import secrets
from dataclasses import dataclass

from odoo import fields
from odoo.http import request

from ..wizard.request_info import backoffice_request_info

GRANTS_KEY = 'esign_grants'
# Signers whose one-time code a logged-in user entered in this session ('uid:signer id').
LOGIN_OTP_KEY = 'esign_login_otp'
LANG_KEY = 'esign_lang'
MAX_GRANTS = 20
PORTAL_LANGS = ('ja_JP', 'en_US')

# Odoo's asset tags carry this one inline handler; only it is allowed (by hash).
ODOO_ASSET_ONERROR = '__odooAssetError=1'
_ONERROR_HASH = base64.b64encode(hashlib.sha256(ODOO_ASSET_ONERROR.encode()).digest()).decode()
# PDF.js runs its parser in a module worker served from /web/static (same
# origin) and draws on canvases; isEvalSupported=false keeps it off eval.
# Odoo's own frontend framework (Owl) compiles its templates with
# new Function(), hence 'unsafe-eval'; inline scripts need this response's
# nonce, so injected markup can never run script.
CSP_TEMPLATE = ("default-src 'self'; "
                f"script-src 'self' 'unsafe-eval' 'nonce-{{nonce}}' 'unsafe-hashes' 'sha256-{_ONERROR_HASH}'; "
                "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
                "worker-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                "form-action 'self'; frame-ancestors 'none'")
# For the PDF bytes themselves, and for redirects: nothing may run or load.
CSP_NOTHING = "default-src 'none'; frame-ancestors 'none'"


@dataclass
class SignerAccess:
    record: object          # esign.signer
    via: str                # 'token' or 'login'
    usable: bool            # the token (if any) still opens the page
    otp_verified: bool      # an emailed code was entered in this session
    expires_at: object = None  # when the token stops opening the page (token access only)
    staff: bool = False     # logged in as the municipality's own user (the approver)

    @property
    def signer(self):
        """The signer as superuser, in the request's current language (which
        the page may set after the access was resolved)."""
        return self.record.with_env(request.env(su=True))

    @property
    def auth_method(self):
        if self.via == 'login':
            return 'login_otp' if self.otp_verified else 'backoffice'
        return 'email_otp' if self.otp_verified else 'email_link'

    @property
    def needs_otp(self):
        # A portal login never stands for the code, whatever the envelope asks
        # of its link: staff may give a contact a portal account, and its
        # password reset goes to the contact's current email, not necessarily
        # to the address the request went to. The code goes to that address.
        # The municipality's own users sign as in the back office, whose
        # dialog asks for no code either.
        if self.staff or self.otp_verified:
            return False
        return self.signer.otp_required or self.via == 'login'


def new_nonce():
    return secrets.token_urlsafe(16)


def secure_headers(response, nonce=None):
    """Security headers of the signing and download pages; without a nonce
    (PDFs, redirects) nothing at all may run or load."""
    headers = response.headers
    headers['Content-Security-Policy'] = CSP_TEMPLATE.format(nonce=nonce) if nonce else CSP_NOTHING
    headers['Referrer-Policy'] = 'no-referrer'
    headers['X-Content-Type-Options'] = 'nosniff'
    headers['X-Frame-Options'] = 'DENY'
    headers['Cache-Control'] = 'no-store'
    headers['Cross-Origin-Opener-Policy'] = 'same-origin'
    headers['Permissions-Policy'] = 'camera=(), microphone=(), geolocation=(), payment=()'
    return response


def request_info(access=None):
    """Where the visitor acts from, for the signer's record and the operation log."""
    info = backoffice_request_info()
    info['auth_method'] = access.auth_method if access else 'email_link'
    return info


def client_ip():
    return request.httprequest.remote_addr or '-'


# -- session grants ---------------------------------------------------------

def _grant_key(scope, signer_id):
    return f'{scope}:{int(signer_id)}'


def _grants():
    return dict(request.session.get(GRANTS_KEY) or {})


def grant(scope, token_record):
    """Remembers in this session that the visitor opened `token_record`'s link."""
    grants = _grants()
    key = _grant_key(scope, token_record.signer_id.id)
    previous = grants.pop(key, {})
    grants[key] = {'token': token_record.id, 'otp': bool(previous.get('otp'))
                   and previous.get('token') == token_record.id}
    # a session is not a key ring: keep the most recent few
    request.session[GRANTS_KEY] = dict(list(grants.items())[-MAX_GRANTS:])
    # Privilege changes get a fresh session id (no fixation of a planted cookie).
    request.session.should_rotate = True


def mark_otp_verified(access):
    """Remembers in this session that `access`'s visitor entered the signer's code."""
    if access.via == 'login':
        key = _login_otp_key(access.record.id)
        verified = [entry for entry in request.session.get(LOGIN_OTP_KEY) or [] if entry != key]
        request.session[LOGIN_OTP_KEY] = (verified + [key])[-MAX_GRANTS:]
    else:
        grants = _grants()
        key = _grant_key('sign', access.record.id)
        if key not in grants:
            return
        grants[key] = dict(grants[key], otp=True)
        request.session[GRANTS_KEY] = grants
    request.session.should_rotate = True


def _login_otp_key(signer_id):
    return f'{request.session.uid}:{int(signer_id)}'


def _logged_in_owner(signer):
    user = request.env.user
    if not request.session.uid or user._is_public():
        return False
    if not signer._esign_is_logged_in_signer(user):
        return False
    # Staff refused by the MFA or IP policy use their mailed link like anyone else.
    refusal = getattr(user, '_esign_session_refusal', None)
    return not (refusal and refusal())


def resolve(signer_id, scope):
    """The visitor's access to signer `signer_id`'s `scope` pages ('sign' or
    'download'), or None when they have none."""
    signer = request.env['esign.signer'].sudo().browse(int(signer_id)).exists()
    if not signer:
        return None
    if _logged_in_owner(signer):
        verified = _login_otp_key(signer.id) in (request.session.get(LOGIN_OTP_KEY) or [])
        return SignerAccess(signer, 'login', True, verified, staff=not request.env.user.share)
    entry = _grants().get(_grant_key(scope, signer.id))
    if not entry:
        return None
    token = request.env['esign.access.token'].sudo().browse(entry.get('token')).exists()
    if not token or token.signer_id != signer or token.scope != scope:
        return None
    usable = not token.revoked_at and token.expires_at > fields.Datetime.now()
    return SignerAccess(signer, 'token', usable, bool(entry.get('otp')), token.expires_at)


# -- language ---------------------------------------------------------------------

def set_language(signer, lang=None):
    """The pages speak the language picked on them, else the signer's, else English."""
    installed = dict(request.env['res.lang'].sudo().get_installed())
    if lang in installed and lang in PORTAL_LANGS:
        request.session[LANG_KEY] = lang
    chosen = request.session.get(LANG_KEY)
    if chosen not in installed:
        user = request.env.user
        chosen = (not user._is_public() and user.lang) or (signer and signer.partner_id.lang) or 'en_US'
    if chosen not in installed:
        chosen = 'en_US'
    request.update_context(lang=chosen)
    return chosen
