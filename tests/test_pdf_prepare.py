"""Preparing an envelope's PDF: what cannot be signed is refused with a code,
and every field of every signer is created up front."""
import io
import subprocess
import tempfile

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers

import samples
from esign_hsm.testing.pki import build_pki
from esign_municipal.engine import form_fields
from esign_municipal.engine.errors import EngineError, PdfRejected
from esign_municipal.engine.fields import FieldSpec, form_field_name, signature_field_name
from esign_municipal.engine.pdf_prepare import inspect_pdf, prepare_pdf
from signing_support import witness_signer


@pytest.fixture(scope='module')
def plain():
    return samples.simple_pdf(2)


def encrypted(data):
    with tempfile.TemporaryDirectory() as tmp:
        with open(f'{tmp}/in.pdf', 'wb') as handle:
            handle.write(data)
        subprocess.run(['qpdf', '--encrypt', 'user-pw', 'owner-pw', '256', '--', f'{tmp}/in.pdf', f'{tmp}/out.pdf'],
                       check=True)
        with open(f'{tmp}/out.pdf', 'rb') as handle:
            return handle.read()


def certified_no_changes(data):
    other = build_pki(prefix='Other Service')
    meta = signers.PdfSignatureMetadata(field_name='Author', certify=True,
                                        docmdp_permissions=fields.MDPPerm.NO_CHANGES)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    return signers.sign_pdf(writer, meta, signer=witness_signer(other)).getvalue()


def with_xfa(data):
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    form = generic.DictionaryObject({generic.pdf_name('/Fields'): generic.ArrayObject(),
                                     generic.pdf_name('/XFA'): generic.pdf_string('<xdp:xdp/>')})
    writer.root['/AcroForm'] = writer.add_object(form)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize('make, code', [
    (lambda pdf: b'PK\x03\x04 this is a zip file, not a PDF', 'not_pdf'),
    (lambda pdf: pdf[:len(pdf) // 2], 'truncated'),
    (lambda pdf: b'%PDF-1.7\n1 0 obj << garbage\n%%EOF\n', 'damaged'),
    (encrypted, 'encrypted'),
    (certified_no_changes, 'certified_no_changes'),
    (with_xfa, 'xfa'),
])
def test_unsignable_pdfs_are_refused_with_a_code(plain, make, code):
    bad = make(plain)
    with pytest.raises(PdfRejected) as caught:
        inspect_pdf(bad)
    assert caught.value.code == code
    with pytest.raises(PdfRejected) as caught:
        prepare_pdf(bad, [FieldSpec('FIELD_1_1', 'signature', 0, (10, 10, 100, 50))])
    assert caught.value.code == code
    assert str(caught.value)  # an English sentence for the log


def test_inspect_reports_pages_and_sizes(plain):
    info = inspect_pdf(plain)
    assert info.page_count == 2
    assert [tuple(round(v) for v in size) for size in info.page_sizes] == [(595, 842), (595, 842)]
    assert info.signature_count == 0


def test_every_field_is_created_up_front(plain):
    specs = [
        FieldSpec(signature_field_name(7, 1), 'signature', 1, (300, 80, 450, 140), signer_key=1, visible=True),
        FieldSpec(signature_field_name(7, 2), 'signature', 1, (100, 80, 250, 140), signer_key=2),
        FieldSpec(form_field_name('text', 7, 1, 11), 'text', 0, (100, 600, 300, 620), label='会社名', signer_key=1,
                  required=True),
        FieldSpec(form_field_name('date', 7, 2, 12), 'date', 1, (100, 500, 300, 520), signer_key=2),
        FieldSpec(form_field_name('checkbox', 7, 1, 13), 'checkbox', 0, (100, 560, 114, 574), signer_key=1),
    ]
    prepared = prepare_pdf(plain, specs)
    assert prepared.startswith(plain), 'fields must be added in an incremental update'
    reader = PdfFileReader(io.BytesIO(prepared))
    created = {name: obj for name, obj, _ref in form_fields.enumerate_fields(reader)}
    assert set(created) == {'FIELD_7_1', 'FIELD_7_2', 'TEXT_7_1_11', 'DATE_7_2_12', 'CHECKBOX_7_1_13'}
    assert created['FIELD_7_1']['/FT'] == '/Sig' and [float(v) for v in created['FIELD_7_1']['/Rect']] == \
        [300, 80, 450, 140]
    assert [float(v) for v in created['FIELD_7_2']['/Rect']] == [0, 0, 0, 0], 'invisible by default'
    assert created['TEXT_7_1_11']['/FT'] == '/Tx' and created['TEXT_7_1_11']['/TU'] == '会社名'
    assert created['TEXT_7_1_11']['/Ff'] & form_fields.FLAG_REQUIRED
    assert created['CHECKBOX_7_1_13']['/FT'] == '/Btn' and created['CHECKBOX_7_1_13']['/AS'] == '/Off'
    # each signer's signature locks that signer's own fields once signed
    lock = created['FIELD_7_1']['/Lock']
    assert lock['/Action'] == '/Include' and set(lock['/Fields']) == {'TEXT_7_1_11', 'CHECKBOX_7_1_13'}
    # fields sit on their pages
    page_1 = reader.root['/Pages']['/Kids'][1].get_object()
    assert {a.get_object()['/T'] for a in page_1['/Annots']} == {'FIELD_7_1', 'FIELD_7_2', 'DATE_7_2_12'}
    assert inspect_pdf(prepared).page_count == 2


def test_bad_field_placement(plain):
    with pytest.raises(EngineError) as caught:
        prepare_pdf(plain, [FieldSpec('FIELD_1_1', 'signature', 5, (10, 10, 100, 50))])
    assert caught.value.code == 'bad_field'
    prepared = prepare_pdf(plain, [FieldSpec('FIELD_1_1', 'signature', 0, (10, 10, 100, 50))])
    with pytest.raises(EngineError) as caught:
        prepare_pdf(prepared, [FieldSpec('FIELD_1_1', 'signature', 0, (10, 10, 100, 50))])
    assert caught.value.code == 'field_exists'
    with pytest.raises(ValueError):
        FieldSpec('X', 'signature', 0, (100, 10, 10, 50))


def test_already_signed_pdf_takes_signature_fields_only(plain):
    other_signed = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(plain)),
                                    signers.PdfSignatureMetadata(field_name='TheirSignature'),
                                    signer=witness_signer(build_pki(prefix='Other Service')))
    data = other_signed.getvalue()
    with pytest.raises(PdfRejected) as caught:
        prepare_pdf(data, [FieldSpec('TEXT_1_1_1', 'text', 0, (10, 10, 100, 30))])
    assert caught.value.code == 'signed_no_form_fields'
    assert prepare_pdf(data, [FieldSpec('FIELD_1_1', 'signature', 0, (10, 10, 100, 50))]).startswith(data)
