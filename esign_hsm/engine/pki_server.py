"""Loopback HTTP server for the PKI helper's revocation data: CRLs and OCSP.

The certificates name their CRL and OCSP URLs, so the server listens first
and the PKI is built with its base_url:

    with PkiServer() as server:
        pki = server.pki = build_pki(base_url=server.base_url)

Serves GET <base_url>/crl/root.crl, GET <base_url>/crl/issuing-ca.crl and
OCSP at <base_url>/ocsp (POST, or GET with the base64 request in the path).

`revocation_data(pki)` hands the same data over in-process, for a validation
context that must not fetch (the demo database, built with no HTTP server).
"""
import base64
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp


class PkiServer:

    def __init__(self, pki=None):
        self.pki = pki
        self.down = False  # True: every request is answered with HTTP 503
        self.hits = []  # paths served, for tests that want to see fetching happen
        self._httpd = None
        self._thread = None

    @property
    def base_url(self):
        host, port = self._httpd.server_address[:2]
        return f'http://{host}:{port}/pki'

    def start(self):
        self._httpd = ThreadingHTTPServer(('127.0.0.1', 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name='pki-server', daemon=True)
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


def ocsp_response_for(pki, issued):
    """DER OCSP response of the PKI's responder about one certificate of its issuing CA."""
    request = (ocsp.OCSPRequestBuilder()
               .add_certificate(issued.cert, pki.issuing_ca.cert, hashes.SHA256())
               .build())
    return pki.ocsp_response(request.public_bytes(serialization.Encoding.DER))


def revocation_data(pki, certificates=None):
    """In-process revocation data: {'crls': [DER], 'ocsps': [DER]}.

    CRLs of the root and the issuing CA, and OCSP responses for the witness and
    TSA certificates (or for the given Issued certificates of the issuing CA).
    """
    certificates = certificates or [pki.witness, pki.tsa, *pki.extra_issued]
    return {
        'crls': [pki.crl(pki.root), pki.crl(pki.issuing_ca)],
        'ocsps': [ocsp_response_for(pki, issued) for issued in certificates
                  if issued.cert.issuer == pki.issuing_ca.cert.subject],
    }

