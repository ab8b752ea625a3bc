"""Room reserved in the PDF for a CMS container, without asking the TSA for a
dummy token first (pyHanko's default estimate costs one extra TSA request)."""

# A timestamp token with its TSA chain, the signed attributes and the
# signature value: generous, since a container that does not fit is fatal.
TOKEN_AND_OVERHEAD = 16384


def signature_room(signer):
    """Hex characters to reserve for `signer`'s container with a timestamp."""
    certs = [signer.signing_cert, *getattr(signer, 'cert_registry', ())]
    cert_bytes = sum(len(cert.dump()) for cert in certs if cert is not None)
    return 2 * (cert_bytes + TOKEN_AND_OVERHEAD)


def timestamp_room():
    """Hex characters to reserve for a document timestamp token."""
    return 2 * TOKEN_AND_OVERHEAD
