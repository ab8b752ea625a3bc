"""Validation contexts: which roots are trusted and where revocation data
comes from (fetched over HTTP, or handed over in-process for the demo)."""
from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from pyhanko_certvalidator import ValidationContext


def as_asn1_cert(cert):
    """asn1crypto certificate from a cryptography certificate, an object with
    .cert (pki.Issued), DER or PEM bytes."""
    cert = getattr(cert, 'cert', cert)
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    if isinstance(cert, pyca_x509.Certificate):
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    raw = bytes(cert)
    if raw.lstrip().startswith(b'-----'):
        raw = pyca_x509.load_pem_x509_certificate(raw).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(raw)


def validation_context(trust_roots, *, intermediates=(), crls=(), ocsps=(), allow_fetching=True,
                       revocation_mode='hard-fail', moment=None):
    """A pyHanko ValidationContext.

    For LTV embedding, revocation checking must be strict (hard-fail) so that
    every CRL/OCSP answer the chain needs is collected. For the demo, pass
    allow_fetching=False with the crls/ocsps its PKI makes in-process.
    """
    return ValidationContext(
        trust_roots=[as_asn1_cert(root) for root in trust_roots],
        other_certs=[as_asn1_cert(cert) for cert in intermediates],
        crls=[bytes(crl) for crl in crls], ocsps=[bytes(response) for response in ocsps],
        allow_fetching=allow_fetching, revocation_mode=revocation_mode, moment=moment)
