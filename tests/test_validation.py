"""validate_pdf reports what Acrobat's signature panel shows, and flags
tampering."""
import io
import json

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

import samples
from esign_hsm.testing.pki import build_pki
from esign_municipal.engine import ltv, witness
from esign_municipal.engine.fields import FieldSpec
from esign_municipal.engine.pdf_prepare import prepare_pdf
from esign_municipal.engine.validation import validate_pdf
from signing_support import fresh_context, pki, pki_server, signer, timestamper, tsa  # noqa: F401

REASON = '山田 太郎 様 taro@example.jp が 2021-10-07 09:25:23 +09:00 JSTに承認しました'


@pytest.fixture(scope='module')
def signed_and_final(pki, signer, tsa):
    from esign_timestamp.engine.rfc3161 import Rfc3161Client
    timestamper = Rfc3161Client(tsa.url)
    prepared = prepare_pdf(samples.simple_pdf(2), [
        FieldSpec('FIELD_1_1', 'signature', 0, (10, 10, 100, 50), signer_key=1),
        FieldSpec('FIELD_1_2', 'signature', 1, (10, 10, 100, 50), signer_key=2)])
    one = witness.sign_for_signer(prepared, field_name='FIELD_1_1', values={}, signer=signer,
                                  timestamper=timestamper, reason=REASON)
    both = witness.sign_for_signer(one, field_name='FIELD_1_2', values={}, signer=signer,
                                   timestamper=timestamper, reason='second')
    return both, ltv.finalize(both, timestamper=timestamper, validation_context=fresh_context(pki))


def test_finalized_contract_is_valid_with_ltv(pki, pki_server, signed_and_final):
    _signed, final = signed_and_final
    pki_server.down = True  # the report relies on embedded data only
    try:
        report = validate_pdf(final, trust_roots=[pki.root.asn1])
    finally:
        pki_server.down = False
    assert report.verdict == 'valid' and report.ltv and report.document_timestamped
    first, second, doc_ts = report.signatures
    assert (first.field_name, first.kind, first.reason, first.location) == ('FIELD_1_1', 'signature', REASON, '日本')
    assert 'Demo Witness Signing' in first.signer and 'Demo Timestamp Authority' in first.timestamp_tsa
    assert first.intact and first.valid and first.trusted and first.timestamp_valid and first.ltv
    # a later signature counts as form filling; DSS and document timestamp as LTA updates
    assert first.modification_level == 'form_filling' and first.coverage == 'entire_revision'
    assert second.modification_level == 'lta_updates' and second.reason == 'second'
    assert first.signing_time and first.timestamp_time
    assert doc_ts.kind == 'document_timestamp' and doc_ts.coverage == 'entire_file' and doc_ts.ltv
    as_dict = json.loads(json.dumps(report.to_dict()))
    assert as_dict['signatures'][0]['reason'] == REASON


def test_signed_but_not_finalized_has_no_ltv(pki, signed_and_final):
    report = validate_pdf(signed_and_final[0], trust_roots=[pki.root.asn1])
    assert report.verdict == 'valid' and not report.ltv and not report.document_timestamped


def test_other_trust_anchor_makes_it_untrusted(signed_and_final):
    report = validate_pdf(signed_and_final[1], trust_roots=[build_pki(prefix='Other').root.asn1])
    assert report.verdict == 'untrusted'
    assert all(s.intact and not s.trusted for s in report.signatures)


def test_changed_signed_bytes_are_invalid(pki, signed_and_final):
    final = signed_and_final[1]
    position = final.index(b'stream\n') + 20  # inside the first page's content stream
    tampered = final[:position] + bytes([final[position] ^ 0x20]) + final[position + 1:]
    report = validate_pdf(tampered, trust_roots=[pki.root.asn1])
    assert report.verdict == 'invalid'
    assert not report.signatures[0].intact


def test_content_added_after_signing_is_modified(pki, signed_and_final):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_and_final[1]))
    page_ref = writer.find_page_for_modification(0)[0]
    page = page_ref.get_object()
    overlay = writer.add_object(generic.StreamObject(stream_data=b'BT /F1 24 Tf 100 700 Td (PAID) Tj ET'))
    page['/Contents'] = generic.ArrayObject([page.raw_get('/Contents'), overlay])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    report = validate_pdf(out.getvalue(), trust_roots=[pki.root.asn1])
    assert report.verdict == 'modified'
    assert any(p.startswith('modified_after_signing') for p in report.signatures[0].problems)


def test_unsigned_and_unreadable(pki):
    assert validate_pdf(samples.simple_pdf(1), trust_roots=[pki.root.asn1]).verdict == 'no_signatures'
    report = validate_pdf(b'not a pdf', trust_roots=[pki.root.asn1])
    assert (report.verdict, report.error_code) == ('unreadable', 'not_pdf')
