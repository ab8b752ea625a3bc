"""A small, complete PKI generated on demand, for the demo and the tests (DEMO - UNTRUSTED).

root CA -> issuing CA -> witness-signing certificate (digitalSignature +
nonRepudiation), TSA certificate (critical EKU timeStamping), OCSP responder
certificate (EKU OCSPSigning + id-pkix-ocsp-nocheck). The issuing CA publishes
a CRL and answers OCSP; the root publishes a CRL for the issuing CA.

Nothing here is ever written to the repository: keys live in memory, and
whoever needs them persists them (Odoo certificate records for the demo, a temp
dir for the tests). Every certificate carries "DEMO - UNTRUSTED" in its subject
so that no one mistakes it for a real one.
"""
import datetime
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.ocsp import OCSPCertStatus, OCSPResponderEncoding, OCSPResponseBuilder, OCSPResponseStatus
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..engine.signers import to_asn1_cert

DEMO_LABEL = 'DEMO - UNTRUSTED'
OID_OCSP_NOCHECK = x509.ObjectIdentifier('1.3.6.1.5.5.7.48.1.5')


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def new_private_key(key_type='rsa'):
    if key_type == 'ec':
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name, organization):
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, 'JP'),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_LABEL),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


@dataclass
class Issued:
    """A certificate with its private key (None when the key lives elsewhere, e.g. in an HSM)."""
    cert: x509.Certificate
    key: object = None

    @property
    def asn1(self):
        """The certificate as asn1crypto's (what pyHanko and the engines take)."""
        return to_asn1_cert(self.cert)

    @property
    def cert_der(self):
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def cert_pem(self):
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self, password=None):
        encryption = (serialization.BestAvailableEncryption(password) if password
                      else serialization.NoEncryption())
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)

    def pkcs12(self, password, chain=()):
        return pkcs12.serialize_key_and_certificates(
            b'esign', self.key, self.cert, [c.cert for c in chain],
            serialization.BestAvailableEncryption(password))


@dataclass
class PKI:
    """The generated hierarchy plus the revocation data it publishes."""
    root: Issued
    issuing_ca: Issued
    witness: Issued
    tsa: Issued
    ocsp_responder: Issued
    base_url: str = None
    revoked: dict = field(default_factory=dict)  # serial -> revocation time
    extra_issued: list = field(default_factory=list)  # issued after build_pki, answered by OCSP too

    @property
    def chain(self):
        """Certificates a validator needs above a leaf, issuing CA first."""
        return [self.issuing_ca, self.root]

    def issue(self, public_key, common_name, profile, organization='Demo Municipality', days=730):
        return self.remember(Issued(_build_cert(
            public_key, _name(common_name, organization), self.issuing_ca, profile, days, self.base_url)))

    def issue_from_csr(self, csr_der_or_pem, profile='witness', days=730):
        """Sign a CSR (e.g. from a key generated inside an HSM) with the issuing CA."""
        try:
            csr = x509.load_der_x509_csr(csr_der_or_pem)
        except ValueError:
            csr = x509.load_pem_x509_csr(csr_der_or_pem)
        if not csr.is_signature_valid:
            raise ValueError('the CSR signature does not verify')
        return self.remember(Issued(_build_cert(
            csr.public_key(), csr.subject, self.issuing_ca, profile, days, self.base_url)))

    def revoke(self, issued, when=None):
        self.revoked[issued.cert.serial_number] = when or _utcnow()

    def crl(self, issuer=None):
        """DER CRL of the issuing CA (default) or of the root (covering the issuing CA)."""
        issuer = issuer or self.issuing_ca
        now = _utcnow()
        builder = (x509.CertificateRevocationListBuilder()
                   .issuer_name(issuer.cert.subject)
                   .last_update(now - datetime.timedelta(minutes=5))
                   .next_update(now + datetime.timedelta(days=7))
                   .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False))
        for serial, when in self.revoked.items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build())
        return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def ocsp_response(self, request_der):
        """DER OCSP response from the delegated responder for a cert of the issuing CA."""
        request = x509.ocsp.load_der_ocsp_request(request_der)
        target = self._find_issued(request.serial_number)
        if target is None:
            return x509.ocsp.OCSPResponseBuilder.build_unsuccessful(
                OCSPResponseStatus.UNAUTHORIZED).public_bytes(serialization.Encoding.DER)
        now = _utcnow()
        revoked_at = self.revoked.get(request.serial_number)
        status = OCSPCertStatus.REVOKED if revoked_at else OCSPCertStatus.GOOD
        builder = (OCSPResponseBuilder()
                   .add_response(cert=target, issuer=self.issuing_ca.cert, algorithm=request.hash_algorithm,
                                 cert_status=status, this_update=now - datetime.timedelta(minutes=1),
                                 next_update=now + datetime.timedelta(days=1),
                                 revocation_time=revoked_at, revocation_reason=None)
                   .responder_id(OCSPResponderEncoding.HASH, self.ocsp_responder.cert)
                   .certificates([self.ocsp_responder.cert]))
        nonce = _ocsp_nonce(request)
        if nonce is not None:
            builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
        return builder.sign(self.ocsp_responder.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def ocsp_response_for(self, issued):
        """DER OCSP response of the responder about one certificate of the issuing CA."""
        request = (x509.ocsp.OCSPRequestBuilder()
                   .add_certificate(issued.cert, self.issuing_ca.cert, hashes.SHA256())
                   .build())
        return self.ocsp_response(request.public_bytes(serialization.Encoding.DER))

    def revocation_data(self, certificates=None):
        """The revocation data handed over in-process, for a validation context
        that must not fetch (the demo database is built with no HTTP server):
        {'crls': [DER], 'ocsps': [DER]}, the CRLs of the root and the issuing
        CA and OCSP answers for the witness and TSA certificates (or for the
        given Issued certificates of the issuing CA)."""
        certificates = certificates or [self.witness, self.tsa, *self.extra_issued]
        return {
            'crls': [self.crl(self.root), self.crl(self.issuing_ca)],
            'ocsps': [self.ocsp_response_for(issued) for issued in certificates
                      if issued.cert.issuer == self.issuing_ca.cert.subject],
        }

    def _find_issued(self, serial):
        for issued in (self.witness, self.tsa, self.ocsp_responder, *self.extra_issued):
            if issued.cert.serial_number == serial:
                return issued.cert
        return None

    def remember(self, issued):
        """Let the OCSP responder answer for a certificate issued later (issue / issue_from_csr)."""
        self.extra_issued.append(issued)
        return issued


def _ocsp_nonce(request):
    try:
        return request.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        return None


PROFILES = {
    # key usage flags, extended key usages (critical?), is CA
    'ca': dict(ku=dict(key_cert_sign=True, crl_sign=True, digital_signature=True), eku=None, ca=True),
    'witness': dict(ku=dict(digital_signature=True, content_commitment=True), eku=None, ca=False),
    'tsa': dict(ku=dict(digital_signature=True, content_commitment=True),
                eku=([ExtendedKeyUsageOID.TIME_STAMPING], True), ca=False),
    'ocsp': dict(ku=dict(digital_signature=True), eku=([ExtendedKeyUsageOID.OCSP_SIGNING], False), ca=False),
}


def _key_usage(flags):
    names = ('digital_signature', 'content_commitment', 'key_encipherment', 'data_encipherment',
             'key_agreement', 'key_cert_sign', 'crl_sign', 'encipher_only', 'decipher_only')
    return x509.KeyUsage(**{name: flags.get(name, False) for name in names})


def _build_cert(public_key, subject, issuer, profile, days, base_url, path_length=None):
    spec = PROFILES[profile]
    now = _utcnow()
    issuer_cert = issuer.cert
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer_cert.subject)
               .public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1))
               .not_valid_after(now + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=spec['ca'], path_length=path_length if spec['ca'] else None),
                              critical=True)
               .add_extension(_key_usage(spec['ku']), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()), critical=False)
    if spec['eku']:
        usages, critical = spec['eku']
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=critical)
    if profile == 'ocsp':
        builder = builder.add_extension(x509.UnrecognizedExtension(OID_OCSP_NOCHECK, b'\x05\x00'), critical=False)
    if base_url:
        crl_name = 'root.crl' if issuer.cert.issuer == issuer.cert.subject else 'issuing-ca.crl'
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(f'{base_url}/crl/{crl_name}')],
            relative_name=None, reasons=None, crl_issuer=None)]), critical=False)
        if not spec['ca'] and profile != 'ocsp':
            builder = builder.add_extension(x509.AuthorityInformationAccess([
                x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.OCSP,
                                       x509.UniformResourceIdentifier(f'{base_url}/ocsp')),
            ]), critical=False)
    return builder.sign(issuer.key, hashes.SHA256())


def build_pki(base_url=None, organization='Demo Municipality', prefix='Demo', key_type='rsa', days=3650):
    """Generate the whole hierarchy.

    base_url: where the CRLs (<base_url>/crl/root.crl, /crl/issuing-ca.crl)
    and the OCSP responder (<base_url>/ocsp) are served; written into the
    certificates. None for a PKI whose revocation data is handed over in-process.
    """
    root_key = new_private_key(key_type)
    root_cert = _build_self_signed(root_key, _name(f'{prefix} Root CA', organization), days + 365)
    root = Issued(root_cert, root_key)
    ca_key = new_private_key(key_type)
    issuing = Issued(_build_cert(ca_key.public_key(), _name(f'{prefix} Issuing CA', organization),
                                 root, 'ca', days, base_url, path_length=0), ca_key)

    def leaf(common_name, profile):
        key = new_private_key(key_type)
        return Issued(_build_cert(key.public_key(), _name(common_name, organization), issuing, profile,
                                  days - 30, base_url), key)

    return PKI(root=root, issuing_ca=issuing,
               witness=leaf(f'{prefix} Witness Signing', 'witness'),
               tsa=leaf(f'{prefix} Timestamp Authority', 'tsa'),
               ocsp_responder=leaf(f'{prefix} OCSP Responder', 'ocsp'),
               base_url=base_url)


def _build_self_signed(key, name, days):
    now = _utcnow()
    public_key = key.public_key()
    return (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_key_usage(PROFILES['ca']['ku']), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .sign(key, hashes.SHA256()))
