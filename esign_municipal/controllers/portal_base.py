"""What the signing and the download pages share: opening an emailed link,
rendering with the security headers, the pages that explain why a link
opens nothing (any more), and the answer to a failure on the service's side."""
import logging
import secrets

from odoo.http import request

from . import portal_access
from .portal_access import client_ip, new_nonce, request_info, secure_headers, set_language

_logger = logging.getLogger(__name__)

STATUS_TEMPLATE = 'esign_municipal.portal_status_page'


class EsignPortalMixin:
    """Mixed into each portal controller (a plain class: Odoo would merge
    controllers that inherit from one another into a single class)."""

    def _esign_render(self, template, values, status=200):
        nonce = new_nonce()
        values = dict(values, csp_nonce=nonce, lang_code=request.env.lang)
        return secure_headers(request.render(template, values, status=status), nonce)

    def _esign_redirect(self, url):
        return secure_headers(request.redirect(url))

    def _esign_status(self, signer, state, status=200, **values):
        """A page that says where the signer stands (signed, declined, expired ...)."""
        envelope = signer.envelope_id if signer else None
        values = dict({'page_path': signer and f'/esign/sign/{signer.id}'}, **values)
        return self._esign_render(STATUS_TEMPLATE, dict(values, signer=signer, envelope=envelope, state=state),
                                  status=status)

    def _esign_not_found(self):
        """The one answer to a link that was never issued (guessed, tampered,
        another signer's or another envelope's): it tells nothing about what exists."""
        set_language(None)
        return self._esign_status(None, 'link_invalid', status=404)

    def _esign_service_reference(self, signer, exc, where, access=None):
        """Records a failure on the service's side (key custody, timestamp
        authority, stored documents) under a new reference number: the details
        (paths, token labels, addresses) go to the server log only, the
        reference to the operation log too. Returns the reference, the one
        thing the signer is shown and can quote to the sender."""
        reference = secrets.token_hex(4).upper()
        _logger.warning('signing portal: reference %s, %s for signer %s failed: %s', reference, where,
                        signer.id, exc.args[0] if exc.args else exc, exc_info=exc)
        signer.envelope_id._esign_log('service_error', signer=signer, request_info=request_info(access),
                                      reference=reference, where=where, error=type(exc.__cause__ or exc).__name__)
        return reference

    def _esign_service_error(self, signer, exc, where, access=None):
        """The page for a failure on the service's side: a plain message and the reference, never the details."""
        reference = self._esign_service_reference(signer, exc, where, access)
        return self._esign_status(signer, 'service_error', status=503, reference=reference)

    def _esign_open_link(self, signer_id, token, scope, used_up):
        """First hit of an emailed link: exchange the token for a session grant
        and redirect to the same page without the token. `used_up(signer)`
        answers a real link that no longer opens anything.

        The token is looked up before any rate limit: a real link always
        opens, whatever others tried. Wrong tokens are counted per address
        and route; an address over its allowance gets 429 for every further
        wrong token. That it still gets through with a real token tells it
        nothing it could use: a token is 32 random bytes, never guessed.
        """
        record, status = request.env['esign.access.token'].sudo()._resolve(signer_id, token, scope)
        if status == 'valid':
            portal_access.grant(scope, record)
            return self._esign_redirect(f'/esign/{scope}/{record.signer_id.id}')
        if record:
            # A real link that no longer opens anything: say why, without a session grant.
            set_language(record.signer_id)
            return used_up(record.signer_id.with_env(request.env(su=True)))
        throttle = request.env['esign.portal.throttle'].sudo()
        address = f'{scope}:{client_ip()}'
        if throttle._esign_is_blocked('token_ip', address):
            set_language(None)
            return self._esign_status(None, 'too_many', status=429)
        throttle._esign_count('token_ip', address)
        signer = request.env['esign.signer'].sudo().browse(signer_id).exists()
        if signer:
            signer.envelope_id._esign_log('link_refused', signer=signer, request_info=request_info())
        return self._esign_not_found()
