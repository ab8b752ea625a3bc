"""Validation contexts: which roots are trusted and where revocation data
comes from (fetched over HTTP, or handed over in-process for the demo)."""
from pyhanko_certvalidator import ValidationContext


def validation_context(trust_roots, *, intermediates=(), crls=(), ocsps=(), allow_fetching=True,
                       revocation_mode='hard-fail', moment=None):
    """A pyHanko ValidationContext over asn1crypto certificates (callers
    convert with esign_hsm.engine.signers.to_asn1_cert).

    For LTV embedding, revocation checking must be strict (hard-fail) so that
    every CRL/OCSP answer the chain needs is collected. For the demo, pass
    allow_fetching=False with the crls/ocsps its PKI makes in-process.
    """
    return ValidationContext(
        trust_roots=list(trust_roots), other_certs=list(intermediates),
        crls=[bytes(crl) for crl in crls], ocsps=[bytes(response) for response in ocsps],
        allow_fetching=allow_fetching, revocation_mode=revocation_mode, moment=moment)
