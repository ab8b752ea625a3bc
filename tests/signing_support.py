"""Shared by the signing tests: real loopback servers, the witness signer and
the independent checks every signed PDF goes through (pdfsig with an NSS
database, OpenSSL for document timestamps, qpdf, pyHanko; the test root is the
only trust anchor of each)."""
import subprocess
import tempfile

import pytest
from asn1crypto import keys
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.validation import (
    DocumentSecurityStore, RevocationInfoValidationType, validate_pdf_ltv_signature, validate_pdf_signature, validate_pdf_timestamp)
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from esign_hsm.testing import pdf_checks
from esign_hsm.testing.pdf_checks import pdfsig  # noqa: F401 (the signing tests' and benchmarks' pdfsig)
from esign_hsm.testing.pki import build_pki
from esign_hsm.testing.pki_server import PkiServer
from esign_hsm.engine.signers import to_asn1_cert
from esign_municipal.engine.trust import validation_context
from esign_timestamp.engine.rfc3161 import Rfc3161Client
from esign_hsm.testing.tsa_server import TsaServer


@pytest.fixture(scope='module')
def pki_server():
    with PkiServer() as server:
        server.pki = build_pki(base_url=server.base_url)
        yield server


@pytest.fixture(scope='module')
def pki(pki_server):
    return pki_server.pki


@pytest.fixture(scope='module')
def tsa(pki):
    with TsaServer(pki.tsa, pki.chain, delay=2.0) as server:
        yield server


@pytest.fixture
def timestamper(tsa, pki):
    tsa.fault = None
    return Rfc3161Client(tsa.url, trust_roots=[pki.root.asn1], timeout=1.0)


@pytest.fixture(scope='module')
def signer(pki):
    return witness_signer(pki)


def witness_signer(pki, issued=None):
    issued = issued or pki.witness
    key = keys.PrivateKeyInfo.load(issued.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return SimpleSigner(signing_cert=to_asn1_cert(issued.cert), signing_key=key,
                        cert_registry=SimpleCertificateStore.from_certs([c.asn1 for c in pki.chain]))


def fresh_context(pki):
    """What a signing service uses to gather LTV data: fetch from the loopback servers."""
    return validation_context([pki.root.asn1])


def qpdf_check(data):
    with tempfile.NamedTemporaryFile(suffix='.pdf') as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run(['qpdf', '--check', handle.name], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'No syntax or stream encoding errors found' in result.stdout, result.stdout


def assert_signed_pdf_ok(data, pki, *, signatures, doc_timestamps=0, ltv=False, ocsp_answers=True):
    """The independent verdict on a PDF we produced.

    signatures: the field names of the approval signatures expected, in order.
    ocsp_answers: False while the OCSP responder the certificates name is down
    (poppler then cannot confirm the chain: see pdf_checks.CERTIFICATE_UNKNOWN_ISSUE).
    """
    qpdf_check(data)
    by_pdfsig = pdf_checks.assert_pdfsig_verdict(
        data, [pki.root.cert], signatures, doc_timestamps,
        certificate=pdf_checks.CERTIFICATE_TRUSTED if ocsp_answers else pdf_checks.CERTIFICATE_UNKNOWN_ISSUE)
    assert [s.name for s in by_pdfsig if s.kind == 'ETSI.CAdES.detached'] == list(signatures), by_pdfsig

    reader = PdfFileReader(__import__('io').BytesIO(data))
    root_only = ValidationContext(trust_roots=[to_asn1_cert(pki.root.cert)])
    for sig in reader.embedded_regular_signatures:
        status = validate_pdf_signature(sig, root_only)
        assert status.bottom_line, status.pretty_print_details()
        assert status.modification_level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES,
                                             ModificationLevel.FORM_FILLING), status.modification_level
        assert status.timestamp_validity is not None and status.timestamp_validity.trusted
        assert sig.sig_object['/SubFilter'] == '/ETSI.CAdES.detached'
        if ltv:
            # With only the embedded data (no fetching), at the PAdES-LTA level.
            # The newest document timestamp is checked against the data
            # embedded after it (pyHanko would otherwise fetch live data).
            embedded_only = DocumentSecurityStore.read_dss(reader).as_validation_context(
                {'trust_roots': [to_asn1_cert(pki.root.cert)], 'allow_fetching': False})
            lta = validate_pdf_ltv_signature(sig, RevocationInfoValidationType.PADES_LTA,
                                             {'trust_roots': [to_asn1_cert(pki.root.cert)]},
                                             bootstrap_validation_context=embedded_only)
            assert lta.bottom_line, lta.pretty_print_details()
    timestamps = reader.embedded_timestamp_signatures
    assert len(timestamps) == doc_timestamps
    for sig in timestamps:
        status = validate_pdf_timestamp(sig, root_only)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    return reader
