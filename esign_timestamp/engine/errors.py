"""The one exception the timestamp engine raises, with a stable code."""
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

# Stable codes: the Odoo layer maps each to a sentence a clerk understands.
CODES = {
    'unreachable': 'the timestamp authority could not be reached',
    'timeout': 'the timestamp authority did not answer in time',
    'http_error': 'the timestamp authority answered with an HTTP error',
    'rejected': 'the timestamp authority refused the request',
    'bad_nonce': 'the timestamp response does not carry our nonce',
    'bad_imprint': 'the timestamp response covers other data than ours',
    'bad_signature': 'the signature of the timestamp token does not verify',
    'bad_eku': 'the timestamp certificate is not meant for timestamping',
    'untrusted': 'the timestamp certificate does not chain to a trusted root',
    'malformed': 'the timestamp response cannot be read',
    'no_tsa': 'no timestamp authority is configured',
}


class TimestampError(TimestampRequestError):
    """A timestamp could not be obtained or does not check out.

    Subclasses pyHanko's TimestampRequestError so that pyHanko callers that
    already handle it keep working; `code` is one of CODES.
    """

    def __init__(self, code, detail='', tsa_url=None, failures=()):
        assert code in CODES, code
        self.code = code
        self.detail = detail
        self.tsa_url = tsa_url
        # For a failover: [(url, code, detail)] of every TSA tried, in order.
        self.failures = list(failures)
        message = CODES[code] + (f': {detail}' if detail else '') + (f' ({tsa_url})' if tsa_url else '')
        super().__init__(message)
