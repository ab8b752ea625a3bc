"""Witness signatures over an envelope's PDFs, finalization to B-LTA and
renewal, each result checked by pdfsig, qpdf and pyHanko (test root only)."""
import datetime
import io

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

import samples
from esign_hsm.testing import pdf_checks
from esign_hsm.testing.pki import build_pki
from esign_municipal.engine import form_fields, ltv, witness
from esign_municipal.engine.errors import SigningError
from esign_municipal.engine.fields import FieldSpec, form_field_name, signature_field_name
from esign_municipal.engine.pdf_prepare import prepare_pdf
from esign_hsm.engine.signers import to_asn1_cert
from esign_timestamp.engine.errors import TimestampError
from signing_support import (  # noqa: F401 (fixtures)
    assert_signed_pdf_ok, fresh_context, pki, pki_server, signer, timestamper, tsa, witness_signer)

ENVELOPE = 5050000111
SIGNERS = {1: ('株式会社デモ建設 山田 太郎', 'taro@demo-kensetsu.example'),
           2: ('デモ市 契約課 佐藤 花子', 'hanako@city.example'),
           3: ('デモ市長 鈴木 一郎', 'mayor@city.example')}
WHEN = datetime.datetime(2021, 10, 7, 0, 25, 23, tzinfo=datetime.timezone.utc)


def test_reason_is_in_jst():
    assert witness.witness_reason('山田 太郎', 'taro@example.jp', WHEN) == \
        '山田 太郎 様 taro@example.jp が 2021-10-07 09:25:23 +09:00 JSTに承認しました'


def envelope_fields():
    """Per document: each signer's signature field and one form field."""
    specs = []
    for signer_id in SIGNERS:
        specs.append(FieldSpec(signature_field_name(ENVELOPE, signer_id), 'signature', 0,
                               (60 + 170 * (signer_id - 1), 40, 210 + 170 * (signer_id - 1), 100),
                               signer_key=signer_id, visible=signer_id == 3))
    specs.append(FieldSpec(form_field_name('text', ENVELOPE, 1, 1), 'text', 0, (60, 120, 300, 140),
                           signer_key=1, required=True))
    specs.append(FieldSpec(form_field_name('date', ENVELOPE, 2, 2), 'date', 0, (320, 120, 500, 140), signer_key=2))
    specs.append(FieldSpec(form_field_name('checkbox', ENVELOPE, 3, 3), 'checkbox', 0, (60, 150, 74, 164),
                           signer_key=3))
    return specs


VALUES = {1: {form_field_name('text', ENVELOPE, 1, 1): '株式会社デモ建設 代表取締役 山田 太郎'},
          2: {form_field_name('date', ENVELOPE, 2, 2): '2021年10月7日'},
          3: {form_field_name('checkbox', ENVELOPE, 3, 3): True}}


def test_envelope_three_documents_three_signers(pki, pki_server, signer, timestamper):
    documents = {name: prepare_pdf(data, envelope_fields()) for name, data in samples.envelope_documents().items()}
    signed_so_far = []
    for signer_id, (name, email) in SIGNERS.items():
        field_name = signature_field_name(ENVELOPE, signer_id)
        for title, data in documents.items():
            documents[title] = witness.sign_for_signer(
                data, field_name=field_name, values=VALUES[signer_id], signer=signer, timestamper=timestamper,
                reason=witness.witness_reason(name, email, WHEN), signer_name=name)
        signed_so_far.append(field_name)
        for data in documents.values():
            # every earlier signature stays valid after every later step
            reader = assert_signed_pdf_ok(data, pki, signatures=signed_so_far)
            newest = reader.embedded_regular_signatures[-1]
            assert newest.sig_object['/Reason'] == witness.witness_reason(name, email, WHEN)
            assert newest.sig_object['/Location'] == '日本'
    for title, data in documents.items():
        fields = {n: obj for n, obj, _ in form_fields.enumerate_fields(PdfFileReader(io.BytesIO(data)))}
        assert fields['TEXT_5050000111_1_1']['/V'] == '株式会社デモ建設 代表取締役 山田 太郎'
        assert fields['CHECKBOX_5050000111_3_3']['/V'] == '/Yes'
        documents[title] = ltv.finalize(data, timestamper=timestamper, validation_context=fresh_context(pki))
    pki_server.down = True  # LTV: the embedded data must suffice on its own
    try:
        for data in documents.values():
            assert_signed_pdf_ok(data, pki, signatures=signed_so_far, doc_timestamps=1, ltv=True, ocsp_answers=False)
    finally:
        pki_server.down = False
    renewed = ltv.renew(documents['送付状'], timestamper=timestamper, validation_context=fresh_context(pki))
    assert_signed_pdf_ok(renewed, pki, signatures=signed_so_far, doc_timestamps=2)
    pki_server.down = True
    try:
        assert_signed_pdf_ok(renewed, pki, signatures=signed_so_far, doc_timestamps=2, ltv=True, ocsp_answers=False)
    finally:
        pki_server.down = False


def test_signed_by_another_service_keeps_their_signature(pki, signer, timestamper):
    other = build_pki(prefix='Other Service')
    theirs = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(samples.simple_pdf(1))),
        signers.PdfSignatureMetadata(field_name='OtherService', subfilter=SigSeedSubFilter.PADES),
        signer=witness_signer(other)).getvalue()
    prepared = prepare_pdf(theirs, [FieldSpec('FIELD_9_1', 'signature', 0, (300, 40, 450, 100))])
    ours = witness.sign_for_signer(prepared, field_name='FIELD_9_1', values={}, signer=signer,
                                   timestamper=timestamper, reason=witness.witness_reason('A', 'a@example.jp', WHEN))
    final = ltv.finalize(ours, timestamper=timestamper, validation_context=fresh_context(pki))
    assert final.startswith(theirs), 'ours must be incremental updates'
    their_sig, our_sig = PdfFileReader(io.BytesIO(final)).embedded_regular_signatures
    their_status = validate_pdf_signature(their_sig, ValidationContext(trust_roots=[to_asn1_cert(other.root.cert)]))
    assert their_status.bottom_line and their_status.trusted, their_status.pretty_print_details()
    our_status = validate_pdf_signature(our_sig, ValidationContext(trust_roots=[to_asn1_cert(pki.root.cert)]))
    assert our_status.bottom_line and our_status.trusted
    from signing_support import qpdf_check
    qpdf_check(final)
    # poppler, trusting both roots: both chains trusted, both signatures valid.
    pdf_checks.assert_pdfsig_verdict(final, [pki.root.cert, other.root.cert], ['OtherService', 'FIELD_9_1'],
                                  doc_timestamps=1)


@pytest.mark.parametrize('fault, code', [('down', 'unreachable'), ('slow', 'timeout'),
                                         ('wrong_nonce', 'bad_nonce'), ('wrong_imprint', 'bad_imprint'),
                                         ('reject', 'rejected')])
def test_tsa_fault_applies_nothing_and_retry_succeeds(pki, signer, tsa, timestamper, fault, code):
    prepared = prepare_pdf(samples.simple_pdf(1), envelope_fields())
    field_name = signature_field_name(ENVELOPE, 1)
    kwargs = dict(field_name=field_name, values=VALUES[1], signer=signer, timestamper=timestamper,
                  reason=witness.witness_reason(*SIGNERS[1], WHEN))
    tsa.fault = fault
    with pytest.raises(TimestampError) as caught:
        witness.sign_for_signer(prepared, **kwargs)
    assert caught.value.code == code
    tsa.fault = None
    signed = witness.sign_for_signer(prepared, **kwargs)
    assert_signed_pdf_ok(signed, pki, signatures=[field_name])

    tsa.fault = fault
    with pytest.raises(TimestampError):
        ltv.finalize(signed, timestamper=timestamper, validation_context=fresh_context(pki))
    tsa.fault = None
    final = ltv.finalize(signed, timestamper=timestamper, validation_context=fresh_context(pki))
    assert_signed_pdf_ok(final, pki, signatures=[field_name], doc_timestamps=1, ltv=True)


def test_untrusted_or_wrong_eku_tsa_applies_nothing(pki, signer):
    from esign_timestamp.engine.rfc3161 import Rfc3161Client
    from esign_hsm.testing.tsa_server import TsaServer
    prepared = prepare_pdf(samples.simple_pdf(1), envelope_fields())
    not_a_tsa = pki.issue(pki.tsa.cert.public_key(), 'Not A TSA', 'witness')
    not_a_tsa.key = pki.tsa.key
    other = build_pki(prefix='Other')
    for issued, chain, code in ((not_a_tsa, pki.chain, 'bad_eku'), (other.tsa, other.chain, 'untrusted')):
        with TsaServer(issued, chain) as server:
            with pytest.raises(TimestampError) as caught:
                witness.sign_for_signer(prepared, field_name=signature_field_name(ENVELOPE, 1), values={},
                                        signer=signer, reason='r',
                                        timestamper=Rfc3161Client(server.url, trust_roots=[pki.root.asn1]))
        assert caught.value.code == code


def test_signing_errors(pki, signer, timestamper):
    prepared = prepare_pdf(samples.simple_pdf(1), envelope_fields())
    common = dict(signer=signer, timestamper=timestamper, reason='r')
    with pytest.raises(SigningError) as caught:
        witness.sign_for_signer(prepared, field_name='FIELD_1_99', values={}, **common)
    assert caught.value.code == 'unknown_field'
    with pytest.raises(SigningError) as caught:
        witness.sign_for_signer(prepared, field_name=signature_field_name(ENVELOPE, 1),
                                values={'TEXT_NOPE': 'x'}, **common)
    assert caught.value.code == 'unknown_field'
    signed = witness.sign_for_signer(prepared, field_name=signature_field_name(ENVELOPE, 1), values={}, **common)
    with pytest.raises(SigningError) as caught:
        witness.sign_for_signer(signed, field_name=signature_field_name(ENVELOPE, 1), values={}, **common)
    assert caught.value.code == 'already_signed'
    with pytest.raises(SigningError) as caught:
        ltv.finalize(prepared, timestamper=timestamper, validation_context=fresh_context(pki))
    assert caught.value.code == 'not_signed'
    with pytest.raises(SigningError) as caught:
        ltv.renew(signed, timestamper=timestamper, validation_context=fresh_context(pki))
    assert caught.value.code == 'not_finalized'


def test_revocation_source_down_at_finalize(pki, pki_server, signer, timestamper):
    prepared = prepare_pdf(samples.simple_pdf(1), envelope_fields())
    signed = witness.sign_for_signer(prepared, field_name=signature_field_name(ENVELOPE, 1), values={},
                                     signer=signer, timestamper=timestamper, reason='r')
    pki_server.down = True
    try:
        with pytest.raises(SigningError) as caught:
            ltv.finalize(signed, timestamper=timestamper, validation_context=fresh_context(pki))
        assert caught.value.code == 'validation_data'
    finally:
        pki_server.down = False
    ltv.finalize(signed, timestamper=timestamper, validation_context=fresh_context(pki))


def test_renewal_survives_a_later_revocation_of_the_witness_certificate():
    from pyhanko.sign.validation import validate_pdf_timestamp

    from esign_hsm.testing.pki_server import PkiServer
    from esign_timestamp.engine.rfc3161 import Rfc3161Client
    from esign_hsm.testing.tsa_server import TsaServer
    with PkiServer() as server:
        pki = server.pki = build_pki(base_url=server.base_url)
        with TsaServer(pki.tsa, pki.chain) as tsa_server:
            timestamper = Rfc3161Client(tsa_server.url)
            prepared = prepare_pdf(samples.simple_pdf(1), [FieldSpec('FIELD_1_1', 'signature', 0, (10, 10, 90, 50))])
            signed = witness.sign_for_signer(prepared, field_name='FIELD_1_1', values={},
                                             signer=witness_signer(pki), timestamper=timestamper, reason='r')
            final = ltv.finalize(signed, timestamper=timestamper, validation_context=fresh_context(pki))
            pki.revoke(pki.witness)  # years later, say
            with pytest.raises(SigningError) as caught:
                ltv.finalize(signed, timestamper=timestamper, validation_context=fresh_context(pki))
            assert caught.value.code == 'validation_data'
            renewed = ltv.renew(final, timestamper=timestamper, validation_context=fresh_context(pki))
            timestamps = PdfFileReader(io.BytesIO(renewed)).embedded_timestamp_signatures
            assert len(timestamps) == 2
            for sig in timestamps:
                status = validate_pdf_timestamp(sig, ValidationContext(trust_roots=[to_asn1_cert(pki.root.cert)]))
                assert status.intact and status.valid and status.trusted
