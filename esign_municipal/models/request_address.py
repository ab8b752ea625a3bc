"""Who is calling, over HTTP, the code that runs now, if anyone.

Odoo hides ``request`` while it serves XML-RPC and JSON-RPC (``/xmlrpc``,
``/jsonrpc``: odoo.http.borrow_request), yet the staff access policy must
know the caller's address there too. ir.http._dispatch therefore keeps it
in a context variable for the duration of every endpoint call.
"""
import contextvars
from collections import namedtuple

from odoo.http import request

ClientInfo = namedtuple('ClientInfo', 'address path user_agent')

_CLIENT = contextvars.ContextVar('esign_client', default=None)


def _from_request():
    httprequest = request.httprequest
    return ClientInfo(httprequest.remote_addr, httprequest.path, httprequest.user_agent.string or '')


def client_info():
    """The client of the current HTTP call, or None outside HTTP (crons,
    the mail gateway, the shell). The address is the one Odoo resolved
    (X-Forwarded-For only in proxy_mode)."""
    return _from_request() if request else _CLIENT.get()


def client_address():
    info = client_info()
    return info.address if info else None


def serving():
    """Remember the current request's client for the endpoint call; returns
    the token to forget it with."""
    return _CLIENT.set(_from_request())


def done(token):
    _CLIENT.reset(token)
