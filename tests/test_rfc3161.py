"""The RFC 3161 client against a real TSA on 127.0.0.1, including a TSA
that answers badly: every bad answer is refused with its code, and a retry
once the TSA behaves again succeeds."""
import asyncio
import hashlib

import pytest

from esign_hsm.testing.demo_tsa import DemoTsa
from esign_hsm.testing.pki import build_pki
from esign_hsm.testing.tsa_server import TsaServer
from esign_timestamp.engine.errors import TimestampError
from esign_timestamp.engine.rfc3161 import FailoverTimeStamper, Rfc3161Client
from esign_timestamp.engine.token import check_token, read_token
from signing_support import pki, pki_server, timestamper, tsa  # noqa: F401 (fixtures)

DATA = b'contract bytes'


def stamp(client, algorithm='sha256', data=DATA):
    digest = hashlib.new(algorithm, data).digest()
    return asyncio.run(client.async_timestamp(digest, algorithm)), digest


@pytest.mark.parametrize('algorithm', ['sha256', 'sha384', 'sha512'])
def test_token_is_checked_and_recorded(tsa, pki, algorithm):
    issued = []
    client = Rfc3161Client(tsa.url, hash_algorithm=algorithm, trust_roots=[pki.root.asn1],
                           on_token=lambda der, info, url: issued.append((der, info, url)))
    token, digest = stamp(client, algorithm)
    (der, info, url), = issued
    assert url == tsa.url and der == token.dump()
    assert info.imprint == digest and info.hash_algorithm == algorithm
    assert info.serial > 0 and info.nonce is not None
    assert 'Demo Timestamp Authority' in info.tsa_name
    # The stored token verifies on its own later (batch verification).
    again = check_token(der, imprint=digest, hash_algorithm=algorithm, trust_roots=[pki.root.asn1])
    assert again.serial == info.serial


def test_policy_oid_is_requested_and_checked(tsa, pki):
    client = Rfc3161Client(tsa.url, policy_oid='1.2.392.200091.100.901.1', trust_roots=[pki.root.asn1])
    token, _ = stamp(client)
    assert read_token(token).policy_oid == '1.2.392.200091.100.901.1'


@pytest.mark.parametrize('fault, code', [
    ('down', 'unreachable'),
    ('slow', 'timeout'),
    ('http_error', 'http_error'),
    ('garbage', 'malformed'),
    ('wrong_nonce', 'bad_nonce'),
    ('wrong_imprint', 'bad_imprint'),
    ('reject', 'rejected'),
    ('bad_signature', 'bad_signature'),
])
def test_bad_answer_is_refused_then_retry_succeeds(tsa, timestamper, fault, code):
    recorded = []
    timestamper.on_token = lambda *args: recorded.append(args)
    tsa.fault = fault
    with pytest.raises(TimestampError) as caught:
        stamp(timestamper)
    assert caught.value.code == code and caught.value.tsa_url == tsa.url
    assert not recorded, 'a refused token must not be recorded'
    tsa.fault = None
    stamp(timestamper)
    assert len(recorded) == 1


def test_tsa_certificate_without_timestamping_eku_is_refused(pki):
    wrong = pki.issue(pki.tsa.cert.public_key(), 'Not A TSA', 'witness')
    wrong.key = pki.tsa.key
    with TsaServer(wrong, pki.chain) as server:
        with pytest.raises(TimestampError) as caught:
            stamp(Rfc3161Client(server.url, trust_roots=[pki.root.asn1]))
    assert caught.value.code == 'bad_eku'


def test_tsa_of_another_pki_is_untrusted(pki):
    other = build_pki(prefix='Other')
    with TsaServer(other.tsa, other.chain) as server:
        with pytest.raises(TimestampError) as caught:
            stamp(Rfc3161Client(server.url, trust_roots=[pki.root.asn1]))
        assert caught.value.code == 'untrusted'
        # without trust roots the chain is not judged (the LTV step does it)
        stamp(Rfc3161Client(server.url))


def test_failover_tries_tsas_in_order(tsa, pki, unused_url):
    used = []
    record = lambda der, info, url: used.append(url)  # noqa: E731
    first = Rfc3161Client(unused_url, on_token=record, timeout=1.0)
    second = Rfc3161Client(tsa.url, on_token=record, trust_roots=[pki.root.asn1])
    stamp(FailoverTimeStamper([first, second]))
    assert used == [tsa.url]

    tsa.fault = 'wrong_nonce'
    with pytest.raises(TimestampError) as caught:
        stamp(FailoverTimeStamper([first, second]))
    assert [code for _url, code, _detail in caught.value.failures] == ['unreachable', 'bad_nonce']
    tsa.fault = None


def test_no_tsa_configured():
    with pytest.raises(TimestampError) as caught:
        stamp(FailoverTimeStamper([]))
    assert caught.value.code == 'no_tsa'


def test_basic_auth(pki):
    with TsaServer(pki.tsa, pki.chain, username='city', password='s3cret') as server:
        with pytest.raises(TimestampError) as caught:
            stamp(Rfc3161Client(server.url, username='city', password='wrong'))
        assert caught.value.code == 'http_error'
        stamp(Rfc3161Client(server.url, username='city', password='s3cret'))
        assert 's3cret' not in repr(Rfc3161Client(server.url, username='city', password='s3cret'))


def test_in_process_demo_tsa_issues_checked_tokens(pki):
    issued = []
    demo_tsa = DemoTsa(pki.tsa.cert, pki.tsa.key, [issued.asn1 for issued in pki.chain])
    demo = Rfc3161Client('demo:in-process-tsa', transport=demo_tsa.answer, trust_roots=[pki.root.asn1],
                         on_token=lambda der, info, url: issued.append(info))
    _token, digest = stamp(demo)
    assert issued[0].imprint == digest
    assert 'DEMO - UNTRUSTED' in issued[0].tsa_name
    # checked like an answer over HTTP: another TSA's root does not vouch for it
    stranger = Rfc3161Client('demo:in-process-tsa', transport=demo_tsa.answer,
                             trust_roots=[build_pki(prefix='Stranger').root.asn1])
    with pytest.raises(TimestampError) as caught:
        stamp(stranger)
    assert caught.value.code == 'untrusted'


@pytest.fixture
def unused_url():
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    return f'http://127.0.0.1:{port}/tsa'


def _tls_cert(pki, common_name, usage, ip=None):
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
               .issuer_name(pki.issuing_ca.cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
    if ip:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]),
                                        critical=False)
    return builder.sign(pki.issuing_ca.key, hashes.SHA256()), key


def test_tls_client_certificate(pki, tmp_path):
    import ssl

    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID

    def write(name, *items):
        def pem(item):
            if hasattr(item, 'private_bytes'):
                return item.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())
            return item.public_bytes(serialization.Encoding.PEM)
        path = tmp_path / name
        path.write_bytes(b''.join(pem(item) for item in items))
        return str(path)

    server_cert, server_key = _tls_cert(pki, '127.0.0.1', ExtendedKeyUsageOID.SERVER_AUTH, ip='127.0.0.1')
    client_cert, client_key = _tls_cert(pki, 'Demo City TSA client', ExtendedKeyUsageOID.CLIENT_AUTH)
    cas = write('cas.pem', pki.issuing_ca.cert, pki.root.cert)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(write('server.pem', server_cert, pki.issuing_ca.cert), write('server.key', server_key))
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cas)
    with TsaServer(pki.tsa, pki.chain, ssl_context=context) as server:
        assert server.url.startswith('https://127.0.0.1:')
        with pytest.raises(TimestampError) as caught:
            stamp(Rfc3161Client(server.url, verify=cas, timeout=2))
        assert caught.value.code == 'unreachable'  # the handshake fails without a client certificate
        client = Rfc3161Client(server.url, verify=cas, client_cert=(write('client.pem', client_cert),
                                                                    write('client.key', client_key)))
        stamp(client)
