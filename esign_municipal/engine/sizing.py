"""Room reserved in the PDF for a CMS container, without asking the TSA for a
dummy token first (pyHanko's default estimate costs one extra TSA request).

The room is written as hex and parsed character by character by every later
reader, so it is worth keeping tight: the size of the last token of each
(set of) TSA(s) in this process is remembered, with a margin; before the
first one a generous default is used.
"""
from pyhanko.sign.timestamps import TimeStamper

DEFAULT_TOKEN_BYTES = 16384
TOKEN_MARGIN = 2048  # serials, times and policies vary: a token is never much bigger than the last
CMS_OVERHEAD = 2048  # signed attributes, algorithm identifiers, signature value
_last_token_bytes = {}  # TSA url(s) -> DER size of the last token


def _key(timestamper):
    return tuple(getattr(t, 'url', id(t)) for t in getattr(timestamper, 'timestampers', [timestamper]))


def _token_bytes(timestamper):
    known = _last_token_bytes.get(_key(timestamper)) if timestamper is not None else None
    return DEFAULT_TOKEN_BYTES if known is None else known + TOKEN_MARGIN


def signature_room(signer, timestamper=None):
    """Hex characters to reserve for `signer`'s container with a timestamp."""
    certs = [signer.signing_cert, *getattr(signer, 'cert_registry', ())]
    cert_bytes = sum(len(cert.dump()) for cert in certs if cert is not None)
    return 2 * (cert_bytes + CMS_OVERHEAD + _token_bytes(timestamper))


def timestamp_room(timestamper=None):
    """Hex characters to reserve for a document timestamp token."""
    return 2 * _token_bytes(timestamper)


class Measured(TimeStamper):
    """Passes requests to `inner`, keeps the tokens it returns (`.tokens`) and
    remembers their size for the next reservation."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.hash_algorithm = getattr(inner, 'hash_algorithm', 'sha256')
        self.tokens = []

    async def async_timestamp(self, message_digest, md_algorithm):
        token = await self.inner.async_timestamp(message_digest, md_algorithm)
        self.tokens.append(token)
        _last_token_bytes[_key(self.inner)] = len(token.dump())
        return token

    async def async_dummy_response(self, md_algorithm):
        return await self.inner.async_dummy_response(md_algorithm)
