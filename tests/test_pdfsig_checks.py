"""The independent verifier itself: poppler's pdfsig, with the NSS database the
tests give it, judges the chain of every signature (not only the first of each
certificate) and grants trust only through the roots it is given."""
import pytest

from esign_hsm.testing import pdf_checks
from esign_hsm.testing.pki import build_pki
from esign_hsm.testing.pki_server import PkiServer
from signing_support import pki, pki_server, signer, witness_signer  # noqa: F401 (fixtures)

FIELDS = ['First', 'Second', 'Third']


def signed_three_times(signer):
    data = pdf_checks.one_page_pdf('Three signatures by one certificate')
    for field in FIELDS:
        data = pdf_checks.sign_pdf(signer, data, field_name=field)
    return data


@pytest.fixture(scope='module')
def three_signatures(signer):
    return signed_three_times(signer)


def test_every_signature_by_one_certificate_is_judged(pki, three_signatures):
    found = pdf_checks.assert_pdfsig_verdict(three_signatures, [pki.root.cert], FIELDS)
    assert [s.certificate for s in found] == [pdf_checks.CERTIFICATE_TRUSTED] * 3, found


def test_knowing_the_signing_certificate_grants_no_trust(three_signatures):
    stranger = build_pki(prefix='Stranger')
    found = pdf_checks.pdfsig(three_signatures, [stranger.root.cert])
    assert [s.validation for s in found] == [pdf_checks.SIGNATURE_VALID] * 3, found
    assert [s.certificate for s in found] == ["Certificate issuer isn't Trusted."] * 3, found


def test_a_revoked_certificate_is_revoked_at_every_signature():
    with PkiServer() as server:  # its own OCSP responder: the revocation stays in this test
        server.pki = revoked = build_pki(base_url=server.base_url, prefix='Revoked')
        data = signed_three_times(witness_signer(revoked))
        revoked.revoke(revoked.witness)
        found = pdf_checks.pdfsig(data, [revoked.root.cert])
    assert [s.certificate for s in found] == ['Certificate has been Revoked.'] * 3, found
