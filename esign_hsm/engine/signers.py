"""pyHanko signers and certificate helpers shared by both key backends."""
import asyncio

from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .errors import CustodyError


def to_asn1_cert(cert):
    """asn1crypto certificate (what pyHanko and the engines take) from a
    cryptography certificate, DER or PEM bytes; an asn1crypto one is returned as is.
    The one conversion of the project: the engines take asn1crypto certificates,
    their callers convert with this."""
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    if isinstance(cert, x509.Certificate):
        cert = cert.public_bytes(serialization.Encoding.DER)
    if pem.detect(cert):
        _type, _headers, cert = pem.unarmor(cert)
    return asn1_x509.Certificate.load(cert)


def load_certificates(data):
    """Every certificate in a PEM bundle, or the one certificate of a DER file (cryptography objects)."""
    try:
        if b'-----BEGIN' in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise CustodyError('cert_invalid', 'the file holds no readable certificate') from None
    return certs


class ParsedKeySigner(SimpleSigner):
    """A SimpleSigner that keeps its key parsed.

    pyHanko's SimpleSigner parses its key again for every raw signature, and
    `cryptography` checks an RSA key on every parse (~27 ms for RSA-2048 against
    0.3 ms for the signature itself); a PDF signature needs two raw signatures
    (a dry run sizes the CMS container). See benchmarks/bench_hsm.py.
    """

    def __init__(self, private_key, **kwargs):
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data, digest_algorithm):
        algorithm = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if algorithm == 'rsassa_pkcs1v15' and isinstance(self._private_key, rsa.RSAPrivateKey):
            return self._private_key.sign(data, padding.PKCS1v15(), digest)
        if algorithm == 'ecdsa' and isinstance(self._private_key, ec.EllipticCurvePrivateKey):
            return self._private_key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)  # other mechanisms (PSS, EdDSA): pyHanko's own path


def software_signer(private_key, cert, chain):
    """Signer from `cryptography` objects; the key exists in clear only in this process's memory."""
    key_info = asn1_keys.PrivateKeyInfo.load(private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return ParsedKeySigner(private_key, signing_cert=to_asn1_cert(cert), signing_key=key_info,
                           cert_registry=SimpleCertificateStore.from_certs([to_asn1_cert(c) for c in chain]))


def raw_signature(signer, data, digest='sha256'):
    """One raw signature through any pyHanko signer (software or PKCS#11), e.g. a connection test."""
    return asyncio.run(signer.async_sign_raw(data, digest))


def verify_signature(public_key_der, signature, data):
    """Whether signature (PKCS#1 v1.5 or DER ECDSA, SHA-256) over data verifies with the SPKI public key."""
    public_key = serialization.load_der_public_key(public_key_der)
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def public_key_der(cert):
    return cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
