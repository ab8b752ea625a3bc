import werkzeug.exceptions

from odoo import models
from odoo.exceptions import AccessError
from odoo.http import Response, request

from ..engine.jst import format_jst, utcnow
from . import request_address
from .staff_access_messages import IP_REFUSED, IP_REFUSED_TITLE, LANGS, LOG_OUT, REFUSED_AT, bilingual, translated

# A refused staff member can still log out (and so log in as someone else).
IP_RESTRICTION_EXEMPT_PATHS = frozenset({'/web/session/logout'})


class IrHttp(models.AbstractModel):
    _inherit = 'ir.http'

    @classmethod
    def _dispatch(cls, endpoint):
        token = request_address.serving()
        try:
            return super()._dispatch(endpoint)
        finally:
            request_address.done(token)

    @classmethod
    def _authenticate(cls, endpoint):
        super()._authenticate(endpoint)
        cls._esign_check_staff_address()

    @classmethod
    def _esign_check_staff_address(cls):
        """Refuse every request of a logged-in staff member whose address is
        outside the staff allow-list: a refusal page (HTTP 403) for pages,
        an AccessError for JSON-RPC, and a log row either way.

        The session's user counts, whatever the route's auth: the web client
        itself (/odoo) is an auth='none' route. Visitors who are not logged
        in (token-based signing pages) and portal users are not staff, so
        they are never concerned. The address is the one Odoo resolved:
        X-Forwarded-For is used only when Odoo runs with proxy_mode.
        """
        uid = request.session.uid
        if not uid or request.httprequest.path in IP_RESTRICTION_EXEMPT_PATHS:
            return
        user = request.env['res.users'].sudo().browse(uid)
        address = request.httprequest.remote_addr
        if not user._esign_address_refused(address):
            return
        request.env['esign.access.refusal'].sudo()._esign_record_refusal('ip', user)
        if request.dispatcher.routing_type == 'json':
            raise AccessError(bilingual(IP_REFUSED, ip=address))
        # abort() with a response bypasses the error handlers (e.g. website's
        # own 403 page) and rolls the request's transaction back.
        werkzeug.exceptions.abort(cls._esign_refusal_page(address))

    @classmethod
    def _esign_refusal_page(cls, address):
        when = format_jst(utcnow())
        texts = []
        for lang in LANGS:
            text = {
                'lang': lang.split('_')[0],
                'title': translated(IP_REFUSED_TITLE, lang),
                'message': translated(IP_REFUSED, lang, ip=address),
                'refused_at': translated(REFUSED_AT, lang, time=when),
                'log_out': translated(LOG_OUT, lang),
            }
            # once only while a Japanese translation is missing
            if not any(other['message'] == text['message'] for other in texts):
                texts.append(text)
        html = request.env['ir.qweb'].sudo()._render(
            'esign_municipal.staff_access_refused_page', {'texts': texts, 'address': address})
        response = Response(html, status=403, content_type='text/html; charset=utf-8')
        response.headers['Cache-Control'] = 'no-store'
        return response
