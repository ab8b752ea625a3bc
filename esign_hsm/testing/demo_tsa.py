"""The timestamp authority of the demo database, in-process.

The demo database is built with --stop-after-init, when no HTTP server runs,
yet its contracts must carry real RFC 3161 tokens. pyHanko's own
DummyTimeStamper answers the requests, signed with the demo PKI's TSA
certificate (DEMO - UNTRUSTED); esign_timestamp's client sends it the same
DER request it would post to a real TSA and checks the answer exactly as it
checks one that came over HTTP.
"""
from asn1crypto import keys, tsp
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from ..engine.signers import to_asn1_cert


class DemoTsa:
    """answer(TimeStampReq DER) -> TimeStampResp DER. tsa_cert, tsa_key: the
    TSA's `cryptography` certificate and RSA key; chain: asn1crypto certificates."""

    def __init__(self, tsa_cert, tsa_key, chain=()):
        key_der = tsa_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
        self._stamper = DummyTimeStamper(to_asn1_cert(tsa_cert), keys.PrivateKeyInfo.load(key_der),
                                         certs_to_embed=list(chain))

    def answer(self, request_der):
        return self._stamper.request_tsa_response(tsp.TimeStampReq.load(request_der)).dump()
