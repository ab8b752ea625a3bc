"""A throw-away PKI (esign_hsm's testing package) and a real loopback TSA for the Odoo tests."""
from cryptography.hazmat.primitives import serialization

from odoo.tests.common import TransactionCase

from odoo.addons.esign_hsm.testing.pki import build_pki
from odoo.addons.esign_hsm.testing.tsa_server import TsaServer


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def unused_url():
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return f'http://127.0.0.1:{sock.getsockname()[1]}/tsa'


class TimestampCase(TransactionCase):
    """A loopback TSA for the class. Secrets are sealed by esign_hsm under the
    key-encryption key the test server's configuration names (esign_kek_file)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pki = build_pki(prefix='Test TSA')
        cls.root, cls.tsa_issued = cls.pki.root, cls.pki.tsa
        cls.tsa_server = TsaServer(cls.tsa_issued, cls.pki.chain).start()
        cls.addClassCleanup(cls.tsa_server.stop)
        cls.Tsa = cls.env['esign.tsa']
        cls.Token = cls.env['esign.timestamp.token']
        # only the TSAs of the test
        cls.Tsa.search([]).write({'active': False})
        # only the tokens of the test: those of the demo data (its completed
        # envelope) are set aside inside the test's transaction, which is rolled
        # back (tokens are append-only, so not through the ORM)
        cls.env.cr.execute('DELETE FROM esign_timestamp_token')

    def setUp(self):
        super().setUp()
        self.tsa_server.fault = None

    def make_tsa(self, **values):
        return self.Tsa.create({'name': 'Loopback TSA', 'url': self.tsa_server.url,
                                'trust_roots_pem': pem(self.root.cert), 'timeout': 2, **values})
