"""Loopback HTTP server for the PKI helper's revocation data: CRLs and OCSP.

The certificates name their CRL and OCSP URLs, so the server listens first
and the PKI is built with its base_url:

    with PkiServer() as server:
        pki = server.pki = build_pki(base_url=server.base_url)

Serves GET <base_url>/crl/root.crl, GET <base_url>/crl/issuing-ca.crl and
OCSP at <base_url>/ocsp (POST, or GET with the base64 request in the path).

`pki.revocation_data()` hands the same data over in-process.
"""
import base64
import urllib.parse
from http.server import BaseHTTPRequestHandler

from .loopback import LoopbackServer


class PkiServer(LoopbackServer):
    name = 'pki-server'

    def __init__(self, pki=None):
        super().__init__()
        self.pki = pki
        self.down = False  # True: every request is answered with HTTP 503
        self.hits = []  # paths served, for tests that want to see fetching happen

    @property
    def base_url(self):
        return f'http://{self.address}/pki'

    def answer(self, method, path, body):
        """(status, content type, body) for a request on this server."""
        pki = self.pki
        if self.down or pki is None:
            return 503, 'text/plain', b'unavailable'
        path = urllib.parse.urlsplit(path).path
        if path == '/pki/crl/root.crl':
            return 200, 'application/pkix-crl', pki.crl(pki.root)
        if path == '/pki/crl/issuing-ca.crl':
            return 200, 'application/pkix-crl', pki.crl(pki.issuing_ca)
        if path == '/pki/ocsp' and method == 'POST':
            return 200, 'application/ocsp-response', pki.ocsp_response(body)
        if path.startswith('/pki/ocsp/') and method == 'GET':
            request = base64.b64decode(urllib.parse.unquote(path[len('/pki/ocsp/'):]))
            return 200, 'application/ocsp-response', pki.ocsp_response(request)
        return 404, 'text/plain', b'not found'

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def do_GET(self):
                self._serve('GET', b'')

            def do_POST(self):
                self._serve('POST', self.rfile.read(int(self.headers.get('Content-Length') or 0)))

            def _serve(self, method, body):
                server.hits.append(self.path)
                status, content_type, payload = server.answer(method, self.path, body)
                self.send_response(status)
                self.send_header('Content-Type', content_type)
                self.send_header('Content-Length', str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler

