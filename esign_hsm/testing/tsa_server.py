"""A real RFC 3161 TSA over HTTP on 127.0.0.1, for tests and benchmarks.

    with TsaServer(pki.tsa, chain=pki.chain) as tsa:
        client = Rfc3161Client(tsa.url)
        tsa.fault = 'wrong_nonce'   # change behaviour between requests

Faults: 'down' (connection closed without an answer), 'slow' (answers after
`delay` seconds), 'http_error' (HTTP 500), 'garbage' (a body that is no
TimeStampResp), and the response faults of tsa_responder.RESPONSE_FAULTS
('wrong_nonce', 'wrong_imprint', 'reject', 'bad_signature'). A wrong-EKU or
untrusted TSA is a server built from such a certificate.
"""
import base64
import time
from http.server import BaseHTTPRequestHandler

from .loopback import LoopbackServer
from .tsa_responder import RESPONSE_FAULTS, TsaResponder

TRANSPORT_FAULTS = ('down', 'slow', 'http_error', 'garbage')


class TsaServer(LoopbackServer):
    name = 'tsa-server'

    def __init__(self, tsa, chain=(), *, fault=None, delay=3.0, username=None, password=None,
                 policy_oid=None, ssl_context=None):
        """tsa: an object with .cert and .key (pki.Issued); chain: Issued or certificates."""
        super().__init__()
        certs = [getattr(c, 'cert', c) for c in chain]
        kwargs = {'policy_oid': policy_oid} if policy_oid else {}
        self.responder = TsaResponder(tsa.cert, tsa.key, certs, **kwargs)
        self.fault = fault
        self.delay = delay
        self.credentials = f'{username}:{password}' if username else None
        self.ssl_context = ssl_context
        self.requests_served = 0

    @property
    def url(self):
        scheme = 'https' if self.ssl_context else 'http'
        return f'{scheme}://{self.address}/tsa'

    def _wrap_socket(self, sock):
        return self.ssl_context.wrap_socket(sock, server_side=True) if self.ssl_context else sock

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                fault = server.fault
                if fault == 'down':
                    self.close_connection = True
                    self.connection.close()
                    return
                if server.credentials and not self._authorized():
                    return self._reply(401, b'', 'text/plain', {'WWW-Authenticate': 'Basic realm="tsa"'})
                if fault == 'slow':
                    time.sleep(server.delay)
                if fault == 'http_error':
                    return self._reply(500, b'internal error', 'text/plain')
                if fault == 'garbage':
                    return self._reply(200, b'\x30\x03\x02\x01', 'application/timestamp-reply')
                answer = server.responder.respond(body, fault if fault in RESPONSE_FAULTS else None)
                server.requests_served += 1
                self._reply(200, answer, 'application/timestamp-reply')

            def _authorized(self):
                expected = 'Basic ' + base64.b64encode(server.credentials.encode()).decode()
                return self.headers.get('Authorization') == expected

            def _reply(self, status, body, content_type, headers=None):
                self.send_response(status)
                self.send_header('Content-Type', content_type)
                self.send_header('Content-Length', str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler
