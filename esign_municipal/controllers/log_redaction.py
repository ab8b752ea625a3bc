"""Keeps link tokens out of the server log.

Odoo's HTTP server (werkzeug) writes one access line per request, with the
request path: the emailed links (/esign/sign/<signer>/<token>,
/esign/download/<signer>/<token>) would put their token there. This filter,
on the 'werkzeug' logger of every process that loads the addon (threaded
server and each prefork worker alike), replaces the token before the line is
formatted. Odoo's own portal tokens in query strings are masked as well.
"""
import logging
import re

REDACTED = '[redacted]'
# Link tokens are 43 URL-safe characters; shorter segments (document/, a
# guess of a few letters) are not secrets and stay readable.
_LINK_TOKEN = re.compile(r'(/esign/(?:sign|download)/\d+/)[A-Za-z0-9_\-]{16,}')
_QUERY_TOKEN = re.compile(r'((?:^|[?&])(?:access_token|token)=)[^&#\s"]+')


def redact(text):
    return _QUERY_TOKEN.sub(r'\g<1>' + REDACTED, _LINK_TOKEN.sub(r'\g<1>' + REDACTED, text))


class LinkTokenRedactionFilter(logging.Filter):
    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def install(logger_name='werkzeug'):
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, LinkTokenRedactionFilter) for existing in logger.filters):
        logger.addFilter(LinkTokenRedactionFilter())


install("werkzeug")
install("odoo.http")
