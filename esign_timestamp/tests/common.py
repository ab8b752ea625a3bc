"""A throw-away TSA certificate and a real loopback TSA for the Odoo tests.

esign_timestamp stands alone (it does not depend on esign_hsm's PKI helper),
so the few certificates it needs are made here.
"""
import datetime
import os
import tempfile
from unittest.mock import patch

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from odoo.tests.common import TransactionCase
from odoo.tools import config

from ..engine.tsa_server import TsaServer


class Issued:
    def __init__(self, cert, key):
        self.cert, self.key = cert, key


def _cert(subject, issuer, public_key, signing_key, ca, eku=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    name = lambda cn: x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),  # noqa: E731
                                 x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, 'TEST - UNTRUSTED')])
    builder = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
               .public_key(public_key).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(signing_key, hashes.SHA256())


def make_tsa_pki():
    """(root, tsa) Issued pairs: a root CA and a TSA certificate it issued."""
    root_key, tsa_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = Issued(_cert('Test Root', 'Test Root', root_key.public_key(), root_key, True), root_key)
    tsa = Issued(_cert('Test TSA', 'Test Root', tsa_key.public_key(), root_key, False,
                       [ExtendedKeyUsageOID.TIME_STAMPING]), tsa_key)
    return root, tsa


def pem(cert):
    from cryptography.hazmat.primitives import serialization
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def unused_url():
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return f'http://127.0.0.1:{sock.getsockname()[1]}/tsa'


class TimestampCase(TransactionCase):
    """A loopback TSA for the class, and a secret key file in a temp dir."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root, cls.tsa_issued = make_tsa_pki()
        cls.tsa_server = TsaServer(cls.tsa_issued, [cls.root]).start()
        cls.addClassCleanup(cls.tsa_server.stop)
        tmp = tempfile.TemporaryDirectory()
        cls.addClassCleanup(tmp.cleanup)
        cls.key_file = os.path.join(tmp.name, 'esign_secret.key')
        patcher = patch.dict(config.options, {'esign_secret_key_file': cls.key_file})
        patcher.start()
        cls.addClassCleanup(patcher.stop)
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
