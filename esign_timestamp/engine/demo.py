"""In-process timestamper for the demo database.

The demo database is created with --stop-after-init, when no HTTP server
runs, yet its contracts must carry real RFC 3161 tokens. This timestamper
builds the response in-process with the same responder as the loopback TSA
server and checks it exactly like the HTTP client. Its certificate must say
DEMO - UNTRUSTED (the demo PKI's do).
"""
from .responder import DEMO_POLICY_OID, TsaResponder
from .rfc3161 import Rfc3161Client

DEMO_URL = 'demo:in-process-tsa'


class DemoTimeStamper(Rfc3161Client):

    def __init__(self, tsa_cert, tsa_key, chain=(), *, policy_oid=None, **kwargs):
        policy_oid = policy_oid or DEMO_POLICY_OID
        super().__init__(DEMO_URL, policy_oid=policy_oid, **kwargs)
        self.responder = TsaResponder(tsa_cert, tsa_key, chain, policy_oid=policy_oid)

    def _post(self, body):
        return self.responder.respond(body)
