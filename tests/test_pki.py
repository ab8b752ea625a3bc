"""The PKI helper issues what the demo and the tests rely on."""
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import ExtendedKeyUsageOID

from esign_hsm.testing import pki as pki_mod


def _ext(cert, cls):
    return cert.extensions.get_extension_for_class(cls)


def _signed_by(cert, issuer):
    issuer.public_key().verify(cert.signature, cert.tbs_certificate_bytes,
                               padding.PKCS1v15(), cert.signature_hash_algorithm)


def test_hierarchy_and_profiles():
    pki = pki_mod.build_pki(base_url='http://127.0.0.1:9/pki')
    _signed_by(pki.root.cert, pki.root.cert)
    _signed_by(pki.issuing_ca.cert, pki.root.cert)
    for leaf in (pki.witness, pki.tsa, pki.ocsp_responder):
        _signed_by(leaf.cert, pki.issuing_ca.cert)
        assert pki_mod.DEMO_LABEL in leaf.cert.subject.rfc4514_string()

    witness_ku = _ext(pki.witness.cert, x509.KeyUsage)
    assert witness_ku.critical and witness_ku.value.digital_signature and witness_ku.value.content_commitment
    assert not witness_ku.value.key_cert_sign

    tsa_eku = _ext(pki.tsa.cert, x509.ExtendedKeyUsage)
    assert tsa_eku.critical and list(tsa_eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]

    ocsp_eku = _ext(pki.ocsp_responder.cert, x509.ExtendedKeyUsage)
    assert ExtendedKeyUsageOID.OCSP_SIGNING in ocsp_eku.value
    aia = _ext(pki.witness.cert, x509.AuthorityInformationAccess).value
    assert aia[0].access_location.value == 'http://127.0.0.1:9/pki/ocsp'
    dp = _ext(pki.witness.cert, x509.CRLDistributionPoints).value
    assert dp[0].full_name[0].value == 'http://127.0.0.1:9/pki/crl/issuing-ca.crl'
    dp_ca = _ext(pki.issuing_ca.cert, x509.CRLDistributionPoints).value
    assert dp_ca[0].full_name[0].value == 'http://127.0.0.1:9/pki/crl/root.crl'


def test_crl_and_ocsp_follow_revocation():
    pki = pki_mod.build_pki()
    crl = x509.load_der_x509_crl(pki.crl())
    assert crl.is_signature_valid(pki.issuing_ca.cert.public_key())
    assert crl.get_revoked_certificate_by_serial_number(pki.witness.cert.serial_number) is None

    request = (x509.ocsp.OCSPRequestBuilder()
               .add_certificate(pki.witness.cert, pki.issuing_ca.cert, pki_mod.hashes.SHA256())
               .add_extension(x509.OCSPNonce(b'0123456789abcdef'), critical=False).build())
    good = x509.ocsp.load_der_ocsp_response(pki.ocsp_response(request.public_bytes(pki_mod.serialization.Encoding.DER)))
    assert good.certificate_status == x509.ocsp.OCSPCertStatus.GOOD
    assert good.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b'0123456789abcdef'

    pki.revoke(pki.witness)
    revoked = x509.ocsp.load_der_ocsp_response(
        pki.ocsp_response(request.public_bytes(pki_mod.serialization.Encoding.DER)))
    assert revoked.certificate_status == x509.ocsp.OCSPCertStatus.REVOKED
    crl = x509.load_der_x509_crl(pki.crl())
    assert crl.get_revoked_certificate_by_serial_number(pki.witness.cert.serial_number) is not None


def test_issue_from_csr_for_a_key_kept_elsewhere():
    pki = pki_mod.build_pki()
    key = pki_mod.new_private_key('ec')
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(pki_mod._name('HSM Witness', 'Demo City'))
           .sign(key, pki_mod.hashes.SHA256()))
    issued = pki.issue_from_csr(csr.public_bytes(pki_mod.serialization.Encoding.PEM))
    assert issued.key is None
    assert issued.cert.public_key().public_numbers() == key.public_key().public_numbers()
    request = (x509.ocsp.OCSPRequestBuilder()
               .add_certificate(issued.cert, pki.issuing_ca.cert, pki_mod.hashes.SHA1()).build())
    response = x509.ocsp.load_der_ocsp_response(
        pki.ocsp_response(request.public_bytes(pki_mod.serialization.Encoding.DER)))
    assert response.certificate_status == x509.ocsp.OCSPCertStatus.GOOD
