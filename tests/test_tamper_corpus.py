"""A corpus of manipulated signed PDFs: every one must be reported as not
intact, or changed after signing, by the verification (署名検証) that the
archive and the verification page use, and refused when uploaded into a
new envelope (署名互換: our updates could not mend it); valid contracts must
not raise a false alarm.

The contract is built by the real engine: three signers with form fields
filled between their signatures, RFC 3161 timestamps from the loopback TSA,
then B-LTA with validation data from the loopback OCSP/CRL servers. pdfsig
(poppler) checks independently what it can judge: the signed byte ranges.
"""
import io
import re

import pytest
from asn1crypto import cms, core
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

import samples
from esign_hsm.testing import pdf_checks
from esign_hsm.testing.pki import build_pki
from esign_municipal.engine import ltv, timestamp_info, witness
from esign_municipal.engine.fields import FieldSpec, form_field_name, signature_field_name
from esign_municipal.engine.errors import PdfRejected
from esign_municipal.engine.pdf_prepare import inspect_pdf, prepare_pdf
from esign_hsm.engine.signers import to_asn1_cert
from esign_municipal.engine.validation import validate_pdf
from signing_support import fresh_context, pdfsig, pki, pki_server, signer, tsa  # noqa: F401 (fixtures)

ENVELOPE = 7000000001
SIGNERS = {1: ('山田 太郎', 'taro@demo-kensetsu.example'), 2: ('佐藤 花子', 'hanako@city.example'),
           3: ('鈴木 一郎', 'mayor@city.example')}
TEXT_FIELD = form_field_name('text', ENVELOPE, 1, 1)


def specs():
    fields = [FieldSpec(signature_field_name(ENVELOPE, key), 'signature', 0, (60 + 170 * (key - 1), 40,
                                                                              210 + 170 * (key - 1), 100),
                        signer_key=key, visible=key == 3) for key in SIGNERS]
    fields.append(FieldSpec(TEXT_FIELD, 'text', 0, (60, 120, 300, 140), signer_key=1, required=True))
    return fields


@pytest.fixture(scope='module')
def contract(pki, signer, tsa):
    """(signed by three, finalized B-LTA) bytes."""
    from esign_timestamp.engine.rfc3161 import Rfc3161Client
    timestamper = Rfc3161Client(tsa.url, trust_roots=[pki.root.asn1])
    data = prepare_pdf(samples.simple_pdf(2, '業務委託契約書', japanese=True), specs())
    for key, (name, email) in SIGNERS.items():
        values = {TEXT_FIELD: '株式会社デモ建設 代表取締役 山田 太郎'} if key == 1 else {}
        data = witness.sign_for_signer(data, field_name=signature_field_name(ENVELOPE, key), values=values,
                                       signer=signer, timestamper=timestamper, signer_name=name,
                                       reason=f'{name} 様 {email} が承認しました')
    signed = data
    final = ltv.finalize(signed, timestamper=timestamper, validation_context=fresh_context(pki))
    return signed, final, timestamper


def report_of(pki, data):
    return validate_pdf(data, trust_roots=[pki.root.asn1])


# -- no false alarm ------------------------------------------------------------------------

def test_valid_multi_signer_contract_is_valid(pki, pki_server, contract):
    signed, final, _timestamper = contract
    for data in (signed, final):
        report = report_of(pki, data)
        assert report.verdict == 'valid', report.to_dict()
        assert [s.verdict for s in report.signatures] == ['valid'] * len(report.signatures)
    assert report.ltv and report.document_timestamped
    # poppler: three valid signatures with trusted chains; OpenSSL: the document timestamp.
    pdf_checks.assert_pdfsig_verdict(final, [pki.root.cert], [s.field_name for s in report.signatures
                                                           if s.kind == 'signature'], doc_timestamps=1)
    # Nothing broken, so a new envelope takes either file (their signatures and timestamps intact).
    assert inspect_pdf(signed).signature_count == 3 and inspect_pdf(final).signature_count == 4


def test_renewed_contract_stays_valid(pki, contract):
    _signed, final, timestamper = contract
    renewed = ltv.renew(final, timestamper=timestamper, validation_context=fresh_context(pki))
    report = report_of(pki, renewed)
    assert report.verdict == 'valid' and len([s for s in report.signatures if s.kind == 'document_timestamp']) == 2


def test_first_timestamp_on_a_contract_signed_elsewhere(pki, contract):
    """Registered contracts: their own signatures stay intact, our document
    timestamp is valid; another service's certificates are only 'untrusted',
    and the contract is valid with them ('valid_with_external')."""
    other = build_pki(prefix='Other')
    from signing_support import witness_signer
    foreign = witness.sign_for_signer(
        prepare_pdf(samples.simple_pdf(1), [FieldSpec('OTHER', 'signature', 0, (10, 10, 100, 50))]),
        field_name='OTHER', values={}, signer=witness_signer(other), timestamper=contract[2], reason='other service')
    stamped = ltv.timestamp_document(foreign, timestamper=contract[2], validation_context=fresh_context(pki))
    assert stamped.startswith(foreign)
    report = report_of(pki, stamped)
    their, ours = report.signatures
    assert their.intact and their.valid and not their.trusted and their.verdict == 'untrusted' and their.external
    assert ours.kind == 'document_timestamp' and ours.verdict == 'valid'
    assert report.verdict == 'valid_with_external'
    unsigned = ltv.timestamp_document(samples.simple_pdf(1), timestamper=contract[2],
                                      validation_context=fresh_context(pki))
    assert report_of(pki, unsigned).verdict == 'valid'


def test_newest_timestamp_and_its_tsa_certificate(pki, contract):
    """What the renewal cron looks at: the newest timestamp and when its TSA certificate expires."""
    signed, final, _timestamper = contract
    stamps = timestamp_info.timestamps_of(final)
    assert [s.kind for s in stamps] == ['signature_timestamp'] * 3 + ['document_timestamp']
    newest = timestamp_info.newest_timestamp(final)
    assert newest.kind == 'document_timestamp' and newest.field_name == 'TIMESTAMP_1'
    assert newest.tsa_cert_not_after == pki.tsa.cert.not_valid_after_utc
    assert 'Timestamp' in newest.tsa_name
    assert timestamp_info.newest_timestamp(signed).kind == 'signature_timestamp'
    assert timestamp_info.newest_timestamp(samples.simple_pdf(1)) is None


# -- the corpus -------------------------------------------------------------------------------

def _incremental(data, change):
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page(writer, index=0):
    return writer.find_page_for_modification(index)[0].get_object()


def flip_byte_in_page_content(data, ctx):
    position = data.index(b'stream\n') + 40  # inside page 1's content, covered by every signature
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1:]


def change_amount_digit_in_text(data, ctx):
    """Same length, one visible character different (「1」 for 「2」) in the first revision."""
    position = data.index(b'Tf') + 2
    stretch = data[position:position + 400]
    digit = re.search(rb'[0-9]', stretch).start() + position
    replacement = b'9' if data[digit:digit + 1] != b'9' else b'8'
    return data[:digit] + replacement + data[digit + 1:]


def overlay_content_after_signing(data, ctx):
    def change(writer):
        page = _page(writer)
        overlay = writer.add_object(generic.StreamObject(stream_data=b'BT /F1 24 Tf 100 700 Td (VOID) Tj ET'))
        page['/Contents'] = generic.ArrayObject([page.raw_get('/Contents'), overlay])
        writer.update_container(page)
    return _incremental(data, change)


def shadow_hide_with_annotation(data, ctx):
    """Shadow attack (hide): an opaque annotation over the signed text, with new text on it."""
    def change(writer):
        page = _page(writer)
        appearance = writer.add_object(generic.StreamObject({
            pdf_name('/Type'): pdf_name('/XObject'), pdf_name('/Subtype'): pdf_name('/Form'),
            pdf_name('/BBox'): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 400, 60)]),
        }, stream_data=b'1 1 1 rg 0 0 400 60 re f 0 g BT /Helv 14 Tf 10 25 Td (Amount: 1 JPY) Tj ET'))
        annotation = writer.add_object(generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/Annot'), pdf_name('/Subtype'): pdf_name('/Square'),
            pdf_name('/Rect'): generic.ArrayObject([generic.NumberObject(v) for v in (60, 640, 460, 700)]),
            pdf_name('/F'): generic.NumberObject(4),
            pdf_name('/AP'): generic.DictionaryObject({pdf_name('/N'): appearance}),
        }))
        existing = page.get('/Annots')
        page['/Annots'] = generic.ArrayObject(list(existing or []) + [annotation])
        writer.update_container(page)
    return _incremental(data, change)


def shadow_replace_content_object(data, ctx):
    """Shadow attack (replace): the page's signed content object redefined in a later update."""
    def change(writer):
        page = _page(writer)
        contents = page.raw_get('/Contents')
        ref = contents if isinstance(contents, generic.IndirectObject) else contents[0]
        writer.objects[(ref.generation, ref.idnum)] = generic.StreamObject(
            stream_data=b'BT /F1 14 Tf 72 780 Td (A different contract) Tj ET')
    return _incremental(data, change)


def remove_first_signature(data, ctx):
    def change(writer):
        for field_ref in writer.root['/AcroForm']['/Fields']:
            field = field_ref.get_object()
            if field.get('/T') == signature_field_name(ENVELOPE, 1):
                del field['/V']
                writer.update_container(field)
    return _incremental(data, change)


def change_locked_field_value(data, ctx):
    def change(writer):
        for field_ref in writer.root['/AcroForm']['/Fields']:
            field = field_ref.get_object()
            if field.get('/T') == TEXT_FIELD:
                field['/V'] = generic.TextStringObject('別の会社 代表取締役')
                writer.update_container(field)
    return _incremental(data, change)


def add_page_after_signing(data, ctx):
    def change(writer):
        content = writer.add_object(generic.StreamObject(stream_data=b'BT /F1 14 Tf 72 780 Td (Annex) Tj ET'))
        writer.insert_page(generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/Page'),
            pdf_name('/MediaBox'): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)]),
            pdf_name('/Contents'): content,
            pdf_name('/Resources'): generic.DictionaryObject()}))
    return _incremental(data, change)


def replace_page_tree(data, ctx):
    """Incremental saving attack: a new catalog entry points at another page tree."""
    def change(writer):
        content = writer.add_object(generic.StreamObject(stream_data=b'BT /F1 14 Tf 72 780 Td (Forged) Tj ET'))
        pages = writer.add_object(generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/Pages'), pdf_name('/Count'): generic.NumberObject(1),
            pdf_name('/Kids'): generic.ArrayObject()}))
        page = writer.add_object(generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/Page'), pdf_name('/Parent'): pages,
            pdf_name('/MediaBox'): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)]),
            pdf_name('/Contents'): content, pdf_name('/Resources'): generic.DictionaryObject()}))
        pages.get_object()['/Kids'].append(page)
        writer.root['/Pages'] = pages
        writer.update_root()
    return _incremental(data, change)


def _contents_span(data, index):
    """(start, end) of the hex digits of the index-th signature's /Contents."""
    sig = PdfFileReader(io.BytesIO(data)).embedded_signatures[index]
    start, length, second, _length2 = [int(v) for v in sig.byte_range]
    return start + length + 1, second - 1


def _replace_cms(data, index, edit):
    start, end = _contents_span(data, index)
    sig = PdfFileReader(io.BytesIO(data)).embedded_signatures[index]
    info = cms.ContentInfo.load(sig.pkcs7_content)
    edit(info)
    new = info.dump(force=True).hex().encode()
    assert len(new) <= end - start, 'the edited signature no longer fits'
    return data[:start] + new + b'0' * (end - start - len(new)) + data[end:]


def swap_signer_certificate(data, ctx):
    other = build_pki(prefix='Demo')  # same names, another key: a look-alike certificate

    def edit(info):
        signed_data = info['content']
        certs = list(signed_data['certificates'])
        certs[0] = cms.CertificateChoices(name='certificate', value=to_asn1_cert(other.witness.cert))
        signed_data['certificates'] = cms.CertificateSet(certs)
        sid = signed_data['signer_infos'][0]['sid']
        sid.chosen['serial_number'] = to_asn1_cert(other.witness.cert).serial_number
    return _replace_cms(data, 0, edit)


def flip_bit_in_signature_value(data, ctx):
    """The first signature's value changed; its signed bytes and digest untouched."""
    def edit(info):
        signer_info = info['content']['signer_infos'][0]
        value = bytearray(signer_info['signature'].native)
        value[len(value) // 2] ^= 0x01
        signer_info['signature'] = bytes(value)
    return _replace_cms(data, 0, edit)


def _timestamp_token(signer_info):
    for attribute in signer_info['unsigned_attrs']:
        if attribute['type'].native == 'signature_time_stamp_token':
            return attribute
    raise AssertionError('no signature timestamp')


def forge_signature_timestamp(data, ctx):
    def edit(info):
        attribute = _timestamp_token(info['content']['signer_infos'][0])
        token_info = attribute['values'][0]['content']['signer_infos'][0]
        forged = bytearray(token_info['signature'].native)
        forged[8] ^= 0x01
        token_info['signature'] = core.OctetString(bytes(forged))
    return _replace_cms(data, 0, edit)


def foreign_signature_timestamp(data, ctx):
    """The timestamp token of another signature, pasted into the first one."""
    tokens = []
    second = PdfFileReader(io.BytesIO(data)).embedded_signatures[1]
    tokens.append(cms.ContentInfo.load(second.pkcs7_content)['content']['signer_infos'][0])

    def edit(info):
        ours = _timestamp_token(info['content']['signer_infos'][0])
        ours['values'] = cms.SetOfContentInfo([_timestamp_token(tokens[0])['values'][0]])
    return _replace_cms(data, 0, edit)


def shrink_byte_range(data, ctx):
    """The first signature's /ByteRange edited to leave bytes unsigned."""
    match = re.search(rb'/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]', data)
    a, b, c, d = (int(v) for v in match.groups())
    edited = f'/ByteRange [{a} {b} {c} {d - 100}]'.encode()
    edited = edited.ljust(match.end() - match.start())
    return data[:match.start()] + edited + data[match.end():]


def truncate_last_update(data, ctx):
    """The last incremental update cut in the middle, the file ended anew."""
    cut = len(data) - 1500
    return data[:cut] + b'\n%%EOF\n'


CORPUS = [
    ('bytes changed inside the signed range', flip_byte_in_page_content, 'final'),
    ('one digit of the contract text changed', change_amount_digit_in_text, 'final'),
    ('page content added after the signatures', overlay_content_after_signing, 'final'),
    ('shadow attack: hiding annotation', shadow_hide_with_annotation, 'final'),
    ('shadow attack: signed object replaced', shadow_replace_content_object, 'final'),
    ('a signature removed', remove_first_signature, 'final'),
    ('a locked field value changed', change_locked_field_value, 'signed'),
    ('a page added after signing', add_page_after_signing, 'final'),
    ('page tree replaced (incremental saving attack)', replace_page_tree, 'final'),
    ('signer certificate swapped', swap_signer_certificate, 'final'),
    ('signature value changed', flip_bit_in_signature_value, 'final'),
    ('signature timestamp forged', forge_signature_timestamp, 'final'),
    ('foreign timestamp pasted in', foreign_signature_timestamp, 'final'),
    ('byte range shrunk', shrink_byte_range, 'final'),
    ('last update truncated', truncate_last_update, 'final'),
]
# What pdfsig (poppler) can judge on its own: the digest of each signed range.
PDFSIG_DETECTS = {flip_byte_in_page_content, change_amount_digit_in_text, swap_signer_certificate,
                  flip_bit_in_signature_value, shrink_byte_range}


@pytest.mark.parametrize('label,tamper,base', CORPUS, ids=[label for label, _t, _b in CORPUS])
def test_tampered_pdf_is_reported(pki, pki_server, contract, label, tamper, base):
    signed, final, _timestamper = contract
    original = final if base == 'final' else signed
    tampered = tamper(original, contract)
    assert tampered != original
    report = report_of(pki, tampered)
    assert report.verdict in ('invalid', 'modified', 'unreadable'), (label, report.to_dict())
    if report.verdict != 'unreadable':
        flagged = [s for s in report.signatures if s.verdict in ('invalid', 'modified')]
        assert flagged, (label, report.to_dict())
        assert any(not (s.intact and s.valid) or s.problems for s in flagged), (label, report.to_dict())
    if tamper in PDFSIG_DETECTS:
        verdicts = [s.validation for s in pdfsig(tampered, [pki.root.cert]) if s.kind == 'ETSI.CAdES.detached']
        assert any(v != pdf_checks.SIGNATURE_VALID for v in verdicts), (label, verdicts)
    # Uploaded into a new envelope, the same file is refused: unreadable, or its signatures broken.
    with pytest.raises(PdfRejected) as caught:
        inspect_pdf(tampered)
    expected = report.error_code if report.verdict == 'unreadable' else 'signature_broken'
    assert caught.value.code == expected, (label, str(caught.value))


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 10
