"""A real RFC 3161 TSA over HTTP on 127.0.0.1, for tests and benchmarks.

    with TsaServer(pki.tsa, chain=pki.chain) as tsa:
        client = Rfc3161Client(tsa.url)
        tsa.fault = 'wrong_nonce'   # change behaviour between requests

Faults: 'down' (connection closed without an answer), 'slow' (answers after
`delay` seconds), 'http_error' (HTTP 500), 'garbage' (a body that is no
TimeStampResp), and the response faults of responder.RESPONSE_FAULTS
('wrong_nonce', 'wrong_imprint', 'reject', 'bad_signature'). A wrong-EKU or
untrusted TSA is a server built from such a certificate.
"""
import base64
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .responder import RESPONSE_FAULTS, TsaResponder

TRANSPORT_FAULTS = ('down', 'slow', 'http_error', 'garbage')


class TsaServer:

    def __init__(self, tsa, chain=(), *, fault=None, delay=3.0, username=None, password=None,
                 policy_oid=None, ssl_context=None):
        """tsa: an object with .cert and .key (pki.Issued); chain: Issued or certificates."""
        certs = [getattr(c, 'cert', c) for c in chain]
        kwargs = {'policy_oid': policy_oid} if policy_oid else {}
        self.responder = TsaResponder(tsa.cert, tsa.key, certs, **kwargs)
        self.fault = fault
        self.delay = delay
        self.credentials = f'{username}:{password}' if username else None
        self.ssl_context = ssl_context
        self.requests_served = 0
        self._httpd = None
        self._thread = None

    @property
    def url(self):
        host, port = self._httpd.server_address[:2]
        scheme = 'https' if self.ssl_context else 'http'
        return f'{scheme}://{host}:{port}/tsa'

    def start(self):
        self._httpd = ThreadingHTTPServer(('127.0.0.1', 0), self._handler_class())
        self._httpd.daemon_threads = True
        if self.ssl_context:
            self._httpd.socket = self.ssl_context.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name='tsa-server', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(5)
            self._httpd = None

    __enter__ = start

    def __exit__(self, *exc):
        self.stop()

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
