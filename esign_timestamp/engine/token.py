"""Reading and checking RFC 3161 timestamp tokens, independent of transport.

Used by the HTTP client right after a response arrives, and again by the batch
verification of stored tokens years later.
"""
import asyncio
import datetime
from dataclasses import dataclass, field

from asn1crypto import cms, core, tsp, x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError

from .errors import TimestampError

class TimeStampResp(core.Sequence):
    """RFC 3161 TimeStampResp: asn1crypto's makes the token mandatory, but a
    refusal carries none."""
    _fields = [('status', tsp.PKIStatusInfo), ('time_stamp_token', cms.ContentInfo, {'optional': True})]


HASHES = {'sha256': hashes.SHA256, 'sha384': hashes.SHA384, 'sha512': hashes.SHA512}


@dataclass
class TokenInfo:
    """What a timestamp token says about itself."""
    serial: int
    gen_time: datetime.datetime  # aware, UTC
    policy_oid: str
    hash_algorithm: str
    imprint: bytes
    nonce: int = None
    tsa_name: str = ''
    signer_cert: asn1_x509.Certificate = None
    certs: list = field(default_factory=list)

    @property
    def tsa_cert_not_after(self):
        return self.signer_cert['tbs_certificate']['validity']['not_after'].native if self.signer_cert else None


def digest(data, hash_algorithm):
    if hash_algorithm not in HASHES:
        raise TimestampError('malformed', f'unsupported hash algorithm {hash_algorithm}')
    h = hashes.Hash(HASHES[hash_algorithm]())
    h.update(data)
    return h.finalize()


def load_token(token):
    """ContentInfo of a token given as DER bytes or already parsed."""
    if isinstance(token, cms.ContentInfo):
        return token
    try:
        info = cms.ContentInfo.load(bytes(token))
        if info['content_type'].native != 'signed_data':
            raise ValueError('not a SignedData')
        return info
    except Exception as exc:  # asn1crypto raises ValueError/TypeError/...
        raise TimestampError('malformed', f'not a timestamp token ({exc})') from exc


def read_token(token):
    """TokenInfo of a token (no verification)."""
    info = load_token(token)
    try:
        signed_data = info['content']
        tst_info = signed_data['encap_content_info']['content'].parsed
        imprint = tst_info['message_imprint']
        certs = [c.chosen for c in signed_data['certificates'] or () if c.name == 'certificate']
        signer_cert = _signer_cert(signed_data['signer_infos'][0], certs)
        tsa = tst_info['tsa']
        tsa_name = ''
        if tsa.native is not None and tsa.name == 'directory_name':
            tsa_name = tsa.chosen.human_friendly
        elif signer_cert is not None:
            tsa_name = signer_cert.subject.human_friendly
        return TokenInfo(
            serial=tst_info['serial_number'].native,
            gen_time=tst_info['gen_time'].native.astimezone(datetime.timezone.utc),
            policy_oid=tst_info['policy'].dotted,
            hash_algorithm=imprint['hash_algorithm']['algorithm'].native,
            imprint=imprint['hashed_message'].native,
            nonce=tst_info['nonce'].native,
            tsa_name=tsa_name,
            signer_cert=signer_cert,
            certs=certs,
        )
    except TimestampError:
        raise
    except Exception as exc:
        raise TimestampError('malformed', f'unreadable timestamp token ({exc})') from exc


def _signer_cert(signer_info, certs):
    sid = signer_info['sid']
    for cert in certs:
        if sid.name == 'issuer_and_serial_number':
            if (cert.issuer == sid.chosen['issuer'] and cert.serial_number == sid.chosen['serial_number'].native):
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    return None


async def async_check_token(token, *, imprint=None, hash_algorithm=None, trust_roots=None, tsa_url=None):
    """Verify a token; returns its TokenInfo or raises TimestampError.

    imprint/hash_algorithm: what the token must cover (None: not checked);
    trust_roots: when given (asn1crypto certificates), the TSA certificate
    must chain to one of them at the token's genTime.
    """
    info_obj = load_token(token)
    info = read_token(info_obj)
    if imprint is not None and (info.imprint != imprint or (hash_algorithm and info.hash_algorithm != hash_algorithm)):
        raise TimestampError('bad_imprint', f'{info.hash_algorithm}:{info.imprint.hex()[:16]}…', tsa_url)
    signed_data = info_obj['content']
    signer_info = signed_data['signer_infos'][0]
    if info.signer_cert is None:
        raise TimestampError('bad_signature', 'the token carries no TSA certificate', tsa_url)
    content = signed_data['encap_content_info']['content'].contents
    content_digest = digest(content, signer_info['digest_algorithm']['algorithm'].native)
    try:
        intact, valid = validate_sig_integrity(signer_info, info.signer_cert, 'tst_info', content_digest)
    except Exception as exc:  # pyHanko raises on malformed attributes
        raise TimestampError('bad_signature', str(exc), tsa_url) from exc
    if not (intact and valid):
        raise TimestampError('bad_signature', '', tsa_url)
    eku = info.signer_cert.extended_key_usage_value
    if eku is None or 'time_stamping' not in eku.native:
        raise TimestampError('bad_eku', info.signer_cert.subject.human_friendly, tsa_url)
    if trust_roots:
        await _check_chain(info, trust_roots, tsa_url)
    return info


def check_token(token, **kwargs):
    """Synchronous async_check_token (not for use inside a running event loop)."""
    return asyncio.run(async_check_token(token, **kwargs))


async def _check_chain(info, trust_roots, tsa_url):
    context = ValidationContext(
        trust_roots=list(trust_roots),
        allow_fetching=False, revocation_mode='soft-fail', moment=info.gen_time)
    validator = CertificateValidator(info.signer_cert, intermediate_certs=info.certs, validation_context=context)
    try:
        await validator.async_validate_usage(set(), {'time_stamping'})
    except (PathBuildingError, PathValidationError, ValidationError) as exc:
        raise TimestampError('untrusted', str(exc), tsa_url) from exc
