"""PKCS#10 certificate signing requests for keys that never leave their token.

`cryptography` can only build a CSR with a key it holds, so the request is
assembled with asn1crypto and its to-be-signed bytes handed to a `sign`
callable (the HSM, or a software key).
"""
from asn1crypto import csr as asn1_csr
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

SIGNATURE_ALGORITHMS = {('rsa', 'sha256'): 'sha256_rsa', ('ec', 'sha256'): 'sha256_ecdsa'}


def subject_name(*, common_name, organization=None, locality=None, state=None, country=None, email=None):
    """An X.501 name from a company's data (UTF8String, so Japanese names stay readable)."""
    attributes = {'common_name': common_name}
    for key, value in (('organization_name', organization), ('locality_name', locality),
                       ('state_or_province_name', state), ('email_address', email)):
        if value:
            attributes[key] = value
    if country and len(country) == 2:
        attributes['country_name'] = country.upper()
    return asn1_x509.Name.build(attributes, use_printable=False)


def build_csr(subject, public_key_info, sign, digest='sha256'):
    """DER CSR. sign(data) -> signature bytes with the private half of public_key_info."""
    algorithm = SIGNATURE_ALGORITHMS[(public_key_info.algorithm, digest)]
    info = asn1_csr.CertificationRequestInfo({
        'version': 'v1',
        'subject': subject,
        'subject_pk_info': public_key_info,
        'attributes': [],
    })
    request = asn1_csr.CertificationRequest({
        'certification_request_info': info,
        'signature_algorithm': {'algorithm': algorithm},
        'signature': sign(info.dump()),
    })
    return request.dump()


def csr_pem(csr_der):
    return pem.armor('CERTIFICATE REQUEST', csr_der)
