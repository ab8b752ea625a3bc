"""Shared by the tests and the benchmark: a one-page PDF, a PAdES signature on it through
any pyHanko signer, and its checks by independent verifiers (pdfsig with an NSS
database trusting the test root, OpenSSL for document timestamps, pyHanko validation).
No binary fixture lives in the repository."""
import atexit
import dataclasses
import hashlib
import io
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

from cryptography.hazmat.primitives import hashes, serialization

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import signers as pdf_signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from ..engine.signers import to_asn1_cert


def one_page_pdf(text='Hello'):
    """A valid A4 PDF showing `text` (ASCII) in Helvetica, uncompressed."""
    writer = PdfFileWriter()
    name = generic.pdf_name
    font = writer.add_object(generic.DictionaryObject({
        name('/Type'): name('/Font'), name('/Subtype'): name('/Type1'), name('/BaseFont'): name('/Helvetica')}))
    escaped = text.replace('\\', '\\\\').replace('(', '\\(').replace(')', '\\)').encode('ascii')
    contents = writer.add_object(generic.StreamObject(stream_data=b'BT /F1 18 Tf 72 760 Td (' + escaped + b') Tj ET'))
    resources = generic.DictionaryObject({name('/Font'): generic.DictionaryObject({name('/F1'): font})})
    writer.insert_page(PageObject(contents=contents, media_box=(0, 0, 595, 842), resources=resources))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_pdf(signer, pdf, field_name='Witness'):
    """A PAdES (ETSI.CAdES.detached, SHA-256) signature, no timestamp, as one incremental update."""
    meta = pdf_signers.PdfSignatureMetadata(field_name=field_name, subfilter=SigSeedSubFilter.PADES,
                                            md_algorithm='sha256', location='日本')
    return pdf_signers.PdfSigner(meta, signer=signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf))).getvalue()


# poppler 22.12 (Debian 12) with NSS 3.87, as found by experiment:
# - it checks a signer's chain with NSS (certificateUsageEmailSigner) against the
#   -nssdir database, asking the OCSP responder the certificate names; it never
#   reads the PDF's embedded validation data (DSS);
SIGNATURE_VALID = 'Signature is Valid.'
CERTIFICATE_TRUSTED = 'Certificate is Trusted.'
# - it reads NSS's last error code even when NSS accepted the chain: when the OCSP
#   responder does not answer (NSS soft-fails and accepts), or with -no-ocsp, a
#   trusted chain is reported as this;
# - within one run, checking a second signature by a signing certificate it has
#   only seen in the PDF fails in NSS (SEC_ERROR_REUSED_ISSUER_AND_SERIAL: the
#   certificate is imported again as a temporary one), reported as this too. So the
#   database also knows each signing certificate, with no trust, as a reader's
#   certificate store does once it has met it: then every signature's chain is
#   judged, its intermediates still read from the PDF and trust only from the roots.
CERTIFICATE_UNKNOWN_ISSUE = 'Unknown issue with Certificate or corrupted data.'
# - it lists an ETSI.RFC3161 document timestamp but cannot check it ("Unable to
#   validate this type of signature" on stderr), in these words; OpenSSL checks it.
POPPLER_TIMESTAMP_KIND = 'unknown'
APPROVAL_KINDS = ('ETSI.CAdES.detached', 'adbe.pkcs7.detached')
POPPLER_TIMESTAMP_VALIDATION = 'Signature has not yet been verified.'
OPENSSL_TIMESTAMP_OK = 'Verification: OK'

_trust_stores = {}  # SHA-256 fingerprints of the trusted roots -> folder of the NSS database and roots.pem


def trust_store(trust_roots, known=()):
    """A folder with an NSS certificate database (pdfsig -nssdir) and a roots.pem
    (openssl -CAfile), both trusting exactly `trust_roots` (cryptography
    certificates or pki.Issued); the database also holds the `known` certificates
    (DER), trusted for nothing. Made once per set of certificates in this process,
    removed at exit."""
    trust_roots = [getattr(root, 'cert', root) for root in trust_roots]  # pki.Issued or certificate
    root_ders = {root.public_bytes(serialization.Encoding.DER) for root in trust_roots}
    known = sorted(set(known) - root_ders)  # a root re-added without trust would lose its trust
    key = (tuple(sorted(root.fingerprint(hashes.SHA256()).hex() for root in trust_roots)),
           tuple(hashlib.sha256(der).hexdigest() for der in known))
    if key not in _trust_stores:
        folder = pathlib.Path(tempfile.mkdtemp(prefix='esign-trust-'))
        atexit.register(shutil.rmtree, folder, True)
        database = f'sql:{folder}'
        subprocess.run(['certutil', '-N', '-d', database, '--empty-password'], check=True, capture_output=True,
                       timeout=60)
        pems = [root.public_bytes(serialization.Encoding.PEM) for root in trust_roots]
        for number, pem in enumerate(pems):
            # C: a trusted CA for every use (TLS, S/MIME signing, code signing), as a root store holds it.
            subprocess.run(['certutil', '-A', '-d', database, '-n', f'test root {number}', '-t', 'C,C,C', '-a'],
                           input=pem, check=True, capture_output=True, timeout=60)
        for number, der in enumerate(known):
            subprocess.run(['certutil', '-A', '-d', database, '-n', f'known {number}', '-t', ',,'],
                           input=der, check=True, capture_output=True, timeout=60)
        (folder / 'roots.pem').write_bytes(b''.join(pems))
        _trust_stores[key] = folder
    return _trust_stores[key]


@dataclasses.dataclass(frozen=True)
class PdfsigSignature:
    """One signed field as poppler's pdfsig reports it."""
    name: str
    kind: str  # 'ETSI.CAdES.detached'; POPPLER_TIMESTAMP_KIND for a document timestamp
    validation: str  # SIGNATURE_VALID when the digest and signature check
    certificate: str  # CERTIFICATE_TRUSTED when the chain reaches a trusted root; None when poppler did not check
    signer: str  # the signer (or TSA) certificate's common name
    signer_dn: str  # and its full distinguished name
    ranges: tuple  # ((start, end), (start, end)) byte offsets, end excluded
    timestamp: str = None  # for a document timestamp: OpenSSL's verdict (OPENSSL_TIMESTAMP_OK)


def signing_certificates(pdf):
    """DER of the certificate of each approval signature in pdf, as pyHanko reads
    them; none when pyHanko cannot read the file (a tampered one: pdfsig then
    judges only the first signature of each certificate)."""
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_regular_signatures
        return {signature.signer_cert.dump() for signature in signatures}
    except Exception:  # noqa: BLE001 - whatever pyHanko refuses, poppler still reports on
        return set()


def pdfsig_report(pdf, trust_roots):
    """poppler's pdfsig output for pdf, checking certificate chains against an
    NSS database that trusts only trust_roots (and knows the signing certificates,
    see CERTIFICATE_UNKNOWN_ISSUE), revocation by OCSP where the certificate
    names a responder (as a desktop reader does)."""
    database = trust_store(trust_roots, known=signing_certificates(pdf))
    with tempfile.NamedTemporaryFile(suffix='.pdf') as pdf_file:
        pdf_file.write(pdf)
        pdf_file.flush()
        result = subprocess.run(['pdfsig', '-nssdir', f'sql:{database}', pdf_file.name],
                                capture_output=True, text=True, timeout=120, env=dict(os.environ, LC_ALL='C'))
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def pdfsig(pdf, trust_roots):
    """[PdfsigSignature] of the signed fields (pdfsig also lists the empty
    fields of later signers: left out). Document timestamps, which poppler
    22.12 cannot check, are checked by `openssl ts -verify` over the byte
    ranges poppler reports: token signature, TSA chain to trust_roots, imprint."""
    found = []
    for block in re.split(r'^Signature #\d+:$', pdfsig_report(pdf, trust_roots), flags=re.M)[1:]:
        if 'is not signed' in block:
            continue
        lines = dict(re.findall(r'^  - ([^:\n]+): (.*)$', block, flags=re.M))
        ranges = tuple((int(start), int(end)) for start, end in
                       re.findall(r'\[(\d+) - (\d+)\]', lines['Signed Ranges']))
        signature = PdfsigSignature(
            name=lines['Signature Field Name'].strip(), kind=lines['Signature Type'].strip(),
            validation=lines['Signature Validation'].strip(),
            certificate=lines.get('Certificate Validation', '').strip() or None,
            signer=lines.get('Signer Certificate Common Name', '').strip(),
            signer_dn=lines.get('Signer full Distinguished Name', '').strip(), ranges=ranges)
        if signature.kind == POPPLER_TIMESTAMP_KIND:
            signature = dataclasses.replace(signature, timestamp=openssl_timestamp_verdict(pdf, ranges, trust_roots))
        found.append(signature)
    return found


def openssl_timestamp_verdict(pdf, ranges, trust_roots):
    """`openssl ts -verify` of the RFC 3161 token in the /Contents between the
    two signed ranges, over the bytes of those ranges: its verdict line."""
    (first_start, first_end), (second_start, second_end) = ranges
    token = bytes.fromhex(pdf[first_end:second_start].strip(b'<> \r\n').decode('ascii'))
    with tempfile.TemporaryDirectory() as folder:
        signed, token_file = pathlib.Path(folder, 'signed'), pathlib.Path(folder, 'token.der')
        signed.write_bytes(pdf[first_start:first_end] + pdf[second_start:second_end])
        token_file.write_bytes(token)  # with the /Contents' zero padding: DER ends where it says
        result = subprocess.run(['openssl', 'ts', '-verify', '-data', str(signed), '-in', str(token_file), '-token_in',
                                 '-CAfile', str(trust_store(trust_roots) / 'roots.pem')],
                                capture_output=True, text=True, timeout=60)
    verdict = result.stdout.strip()
    return f'{verdict} {result.stderr.strip()}' if result.returncode else verdict


def assert_pdfsig_verdict(pdf, trust_roots, signatures, doc_timestamps=0, certificate=CERTIFICATE_TRUSTED):
    """poppler (OpenSSL for document timestamps) finds pdf validly signed:
    the approval signatures named `signatures` (any order) valid, the chain
    of every one judged `certificate` by poppler; then `doc_timestamps` document
    timestamps whose tokens verify against trust_roots (over their byte
    ranges: only validation data for the newest may follow it).
    Returns pdfsig's [PdfsigSignature]."""
    found = pdfsig(pdf, trust_roots)
    # PAdES (ours, a contractor's) or adbe.pkcs7.detached (other services' signatures)
    approvals = [signature for signature in found if signature.kind in APPROVAL_KINDS]
    timestamps = [signature for signature in found if signature.kind == POPPLER_TIMESTAMP_KIND]
    assert len(approvals) + len(timestamps) == len(found), found
    assert sorted(signature.name for signature in approvals) == sorted(signatures), found
    assert all(signature.validation == SIGNATURE_VALID for signature in approvals), found
    assert all(signature.certificate == certificate for signature in approvals), found
    assert len(timestamps) == doc_timestamps, found
    assert all((signature.validation, signature.certificate, signature.timestamp) ==
               (POPPLER_TIMESTAMP_VALIDATION, None, OPENSSL_TIMESTAMP_OK) for signature in timestamps), found
    return found


def pyhanko_status(pdf, trust_root):
    """pyHanko's validation status of the first signature, trusting only trust_root."""
    context = ValidationContext(trust_roots=[to_asn1_cert(trust_root)], allow_fetching=False,
                                revocation_mode='soft-fail')
    return validate_pdf_signature(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0], context)
