"""Documents already signed elsewhere (署名互換): a contractor's own signature,
or another service's, stays valid through our fields, our witness signatures
and the final document timestamp; what would break it is refused up front.

The other party signs with a CA of its own (never the witness PKI), and every
result is checked by pdfsig and by pyHanko trusting that party's root."""
import io
import logging

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    DocumentSecurityStore, RevocationInfoValidationType, validate_pdf_ltv_signature, validate_pdf_signature)
from pyhanko_certvalidator import ValidationContext

import samples
from esign_hsm.testing.pki import build_pki
from esign_municipal.engine import form_fields, ltv, witness
from esign_municipal.engine.errors import PdfRejected
from esign_municipal.engine.fields import FieldSpec
from esign_municipal.engine.pdf_prepare import inspect_pdf, prepare_pdf
from esign_hsm.engine.signers import to_asn1_cert
from esign_municipal.engine.validation import validate_pdf
from external_signing import (  # noqa: F401 (fixtures)
    EXTERNAL_FIELD, external_status, party, party_timestamper, sha1_timestamper, sign_externally, sign_in_old_format,
    timestamp_externally)
from esign_hsm.testing import pdf_checks
from signing_support import fresh_context, pdfsig, pki, pki_server, qpdf_check, signer, timestamper, tsa  # noqa: F401
from test_tamper_corpus import (
    flip_bit_in_signature_value, flip_byte_in_page_content, overlay_content_after_signing, shadow_hide_with_annotation)

OURS = ('FIELD_7_1', 'FIELD_7_2')
ALLOWED = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)


def our_fields(visible_first=True):
    return [FieldSpec(OURS[0], 'signature', 0, (320, 40, 470, 100), signer_key=1, visible=visible_first),
            FieldSpec(OURS[1], 'signature', 0, (100, 40, 250, 100), signer_key=2)]


def through_the_envelope(data, signer, timestamper, pki, specs):
    """Our whole pipeline on `data`: prepare, two witness signatures, B-LTA.
    Every step must be an incremental update on top of the one before."""
    steps = [prepare_pdf(data, specs)]
    for number, field_name in enumerate(OURS, 1):
        steps.append(witness.sign_for_signer(
            steps[-1], field_name=field_name, values={}, signer=signer, timestamper=timestamper,
            reason=f'signer {number}', signer_name='山田 太郎'))
    steps.append(ltv.finalize(steps[-1], timestamper=timestamper, validation_context=fresh_context(pki)))
    previous = data
    for step in steps:
        assert step.startswith(previous), 'the signed input must never be rewritten'
        previous = step
    return steps[-1]


def assert_theirs_intact(data, party):
    status = external_status(data, party)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.modification_level in ALLOWED, status.modification_level
    assert status.docmdp_ok and status.bottom_line, status.pretty_print_details()
    return status


def assert_ours_valid(data, pki, our_signatures):
    context = ValidationContext(trust_roots=[to_asn1_cert(pki.root.cert)])
    reader = PdfFileReader(io.BytesIO(data))
    by_name = {sig.field_name: sig for sig in reader.embedded_regular_signatures}
    for name in our_signatures:
        status = validate_pdf_signature(by_name[name], context)
        assert status.bottom_line and status.timestamp_validity.trusted, status.pretty_print_details()


def assert_pdfsig_all_valid(data, approvals, trust_roots):
    """pdfsig verifies each approval signature and its certificate's chain to
    `trust_roots`; OpenSSL each document timestamp (theirs and ours)."""
    timestamps = [found for found in pdfsig(data, trust_roots) if found.kind == pdf_checks.POPPLER_TIMESTAMP_KIND]
    return pdf_checks.assert_pdfsig_verdict(data, trust_roots, approvals, doc_timestamps=len(timestamps))


# -- (a) an approval signature of the other party ---------------------------------------------


@pytest.fixture(scope='module', params=['contractor', 'other_service'])
def signed_elsewhere(request, party, party_timestamper):
    """A contractor's PAdES signature with their TSA's timestamp and a visible stamp; or another
    service's output: an adbe.pkcs7.detached signature then that service's document timestamp."""
    plain = samples.simple_pdf(2, '業務委託契約書', japanese=True)
    if request.param == 'contractor':
        return sign_externally(plain, party, timestamper=party_timestamper, box=(60, 700, 220, 760)), 1
    signed = sign_externally(plain, party, subfilter=sig_fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED)
    return timestamp_externally(signed, party_timestamper), 2


def test_approval_signed_pdf_through_an_envelope(pki, pki_server, signer, timestamper, party, signed_elsewhere):
    theirs, their_count = signed_elsewhere
    assert_pdfsig_all_valid(theirs, [EXTERNAL_FIELD], [party.root])
    assert_theirs_intact(theirs, party)
    info = inspect_pdf(theirs)
    assert (info.signature_count, info.mdp_permission, info.field_locks) == (their_count, None, [])

    final = through_the_envelope(theirs, signer, timestamper, pki, our_fields())

    qpdf_check(final)
    found = assert_pdfsig_all_valid(final, [EXTERNAL_FIELD, *OURS], [pki.root.cert, party.root])
    assert len(found) == their_count + 3, found  # theirs, ours, our document timestamp
    status = assert_theirs_intact(final, party)
    assert status.modification_level == ModificationLevel.FORM_FILLING
    assert_ours_valid(final, pki, OURS)

    # Our report lists their signature, valid but not trusted here, without calling it changed.
    pki_server.down = True  # only the embedded data counts
    try:
        report = validate_pdf(final, trust_roots=[pki.root.asn1])
    finally:
        pki_server.down = False
    external = report.signatures[0]
    assert (external.field_name, external.kind) == (EXTERNAL_FIELD, 'signature')
    assert '外部 次郎' in external.signer and external.signing_time
    assert external.intact and external.valid and not external.trusted
    assert external.trust_problem == 'unknown_ca' and external.verdict == 'untrusted' and external.external
    assert external.modification_level == 'form_filling'
    assert not any(p.startswith(('modified_after_signing', 'docmdp_violation', 'partial_coverage'))
                   for p in external.problems), external.problems
    if their_count == 1:
        # their own timestamp: intact, its TSA not trusted here
        assert external.timestamp_time and external.timestamp_intact and not external.timestamp_valid
        assert external.timestamp_trust_problem == 'unknown_ca' and 'timestamp_untrusted' in external.problems
    else:
        # their document timestamp: listed, intact, its TSA not trusted here
        their_stamp = report.signatures[1]
        assert their_stamp.kind == 'document_timestamp' and their_stamp.field_name == 'OtherServiceTimestamp'
        assert their_stamp.timestamp_intact and their_stamp.trust_problem == 'unknown_ca' and their_stamp.external
    ours = report.signatures[their_count:]
    assert [sig.field_name for sig in ours] == [*OURS, f'TIMESTAMP_{their_count}']
    assert all(sig.verdict == 'valid' and sig.ltv and sig.trust_problem == '' and not sig.external
               for sig in ours), ours
    # Valid, with a note: theirs intact but not ours to vouch for; ours and the final timestamp trusted.
    assert report.verdict == 'valid_with_external' and report.document_timestamped
    assert_verdicts_after_completion(final, pki, party)


def assert_verdicts_after_completion(final, pki, party):
    """The four verdicts of the same completed file, and what tampering with it yields."""
    def verdict(data, *roots):
        return validate_pdf(data, trust_roots=[to_asn1_cert(root) for root in roots]).verdict

    # Everything trusted (their root too); nothing trusted but theirs: our chain is not vouched for.
    assert verdict(final, pki.root.cert, party.root) == 'valid'
    assert verdict(final, party.root) == 'untrusted'
    assert verdict(final, build_pki(prefix='Stranger').root.cert) == 'untrusted'
    # A signature of another party after our final timestamp: the newest is not ours, so not vouched for.
    assert verdict(sign_externally(final, party, field_name='LaterSignature'), pki.root.cert) == 'untrusted'
    # Tampering after completion: a changed byte of the signed content, or content drawn over a page.
    report = validate_pdf(flip_byte_in_page_content(final, None), trust_roots=[pki.root.asn1])
    assert report.verdict == 'invalid' and not report.signatures[0].intact and not report.signatures[0].external
    assert verdict(overlay_content_after_signing(final, None), pki.root.cert) == 'modified'


def test_signed_pdf_takes_no_form_fields(party):
    theirs = sign_externally(samples.simple_pdf(1), party)
    for kind in ('text', 'date', 'checkbox'):
        with pytest.raises(PdfRejected) as caught:
            prepare_pdf(theirs, [*our_fields(), FieldSpec('TEXT_7_1_1', kind, 0, (60, 120, 200, 140))])
        assert caught.value.code == 'signed_no_form_fields'


# -- (b) certified: form filling and signing allowed (DocMDP P=2, and P=3) ----------------------


@pytest.mark.parametrize('permission', [sig_fields.MDPPerm.FILL_FORMS, sig_fields.MDPPerm.ANNOTATE])
def test_certified_pdf_takes_invisible_signatures_only(pki, signer, timestamper, party, permission):
    theirs = sign_externally(samples.simple_pdf(1), party, certify=permission)
    info = inspect_pdf(theirs)
    assert info.mdp_permission == permission
    with pytest.raises(PdfRejected) as caught:
        prepare_pdf(theirs, our_fields(visible_first=True))
    assert caught.value.code == 'certified_invisible_only'
    with pytest.raises(PdfRejected) as caught:
        prepare_pdf(theirs, [*our_fields(visible_first=False), FieldSpec('TEXT_7_1_1', 'text', 0, (60, 120, 200, 140))])
    assert caught.value.code == 'signed_no_form_fields'

    final = through_the_envelope(theirs, signer, timestamper, pki, our_fields(visible_first=False))
    qpdf_check(final)
    assert_pdfsig_all_valid(final, [EXTERNAL_FIELD, *OURS], [pki.root.cert, party.root])
    status = assert_theirs_intact(final, party)
    assert PdfFileReader(io.BytesIO(final)).embedded_regular_signatures[0].docmdp_level == permission
    assert status.modification_level == ModificationLevel.FORM_FILLING
    assert_ours_valid(final, pki, OURS)
    report = validate_pdf(final, trust_roots=[pki.root.asn1])
    external = report.signatures[0]
    assert external.verdict == 'untrusted' and external.external and 'docmdp_violation' not in external.problems
    assert report.verdict == 'valid_with_external'


def test_why_a_visible_signature_is_refused_on_a_certified_pdf(signer, timestamper, party):
    """Made by pyHanko directly, past our check: a visible signature field after a
    P=2 certification breaks it in pyHanko's analysis (and in our report)."""
    theirs = sign_externally(samples.simple_pdf(1), party, certify=sig_fields.MDPPerm.FILL_FORMS)
    writer = IncrementalPdfFileWriter(io.BytesIO(theirs))
    sig_fields.append_signature_field(writer, sig_fields.SigFieldSpec('FIELD_7_1', box=(320, 40, 470, 100)))
    out = io.BytesIO()
    writer.write(out)
    signed = witness.sign_for_signer(out.getvalue(), field_name='FIELD_7_1', values={}, signer=signer,
                                     timestamper=timestamper, reason='r', signer_name='山田 太郎')
    status = external_status(signed, party)
    assert status.intact and status.valid and not status.docmdp_ok
    assert status.modification_level == ModificationLevel.OTHER
    # Such a file, once made elsewhere, is refused at upload: its certification is already broken.
    with pytest.raises(PdfRejected) as caught:
        inspect_pdf(signed)
    assert caught.value.code == 'signature_broken'
    assert f'{EXTERNAL_FIELD}: the PDF was changed after signing (other)' in str(caught.value)
    assert 'FIELD_7_1:' not in str(caught.value), 'our own signature there is intact'


# -- (c) what cannot be signed without breaking their signature, refused at upload -----------------


def their_text_field(writer):
    form_fields.create_field(writer, FieldSpec('ContractorName', 'text', 0, (60, 600, 300, 620)))


def with_their_text_field(data):
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    their_text_field(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize('options, code', [
    ({'certify': sig_fields.MDPPerm.NO_CHANGES}, 'certified_no_changes'),
    # PDF 2.0: an approval signature whose /Lock sets DocMDP P=1
    ({'lock': sig_fields.FieldMDPSpec(sig_fields.FieldMDPAction.ALL), 'lock_permission': sig_fields.MDPPerm.NO_CHANGES},
     'certified_no_changes'),
    ({'lock': sig_fields.FieldMDPSpec(sig_fields.FieldMDPAction.ALL)}, 'signed_fields_locked'),
    ({'lock': sig_fields.FieldMDPSpec(sig_fields.FieldMDPAction.EXCLUDE, fields=['ContractorName'])},
     'signed_fields_locked'),
    # their locked field drawn in an earlier update than their signature: pyHanko 0.28 reports any
    # later update, validation data included, as a change to it
    ({'lock': sig_fields.FieldMDPSpec(sig_fields.FieldMDPAction.INCLUDE, fields=['ContractorName'])},
     'signed_fields_locked'),
])
def test_locked_pdfs_are_refused_at_upload(party, options, code):
    theirs = sign_externally(with_their_text_field(samples.simple_pdf(1)), party, **options)
    with pytest.raises(PdfRejected) as caught:
        inspect_pdf(theirs)
    assert caught.value.code == code
    with pytest.raises(PdfRejected) as caught:
        prepare_pdf(theirs, our_fields(visible_first=False))
    assert caught.value.code == code


def test_their_field_lock_is_respected(pki, signer, timestamper, party):
    """A lock on their own fields leaves ours free; a lock whose name covers ours
    (FieldMDP names lock whole subtrees, by prefix) is refused."""
    theirs = sign_externally(samples.simple_pdf(1), party, before_signing=their_text_field,
                             lock=sig_fields.FieldMDPSpec(sig_fields.FieldMDPAction.INCLUDE, fields=['ContractorName']))
    assert inspect_pdf(theirs).field_locks
    final = through_the_envelope(theirs, signer, timestamper, pki, our_fields())
    assert_pdfsig_all_valid(final, [EXTERNAL_FIELD, *OURS], [pki.root.cert, party.root])
    assert_theirs_intact(final, party)

    prefix_lock = sign_externally(samples.simple_pdf(1), party,
                                  lock=sig_fields.FieldMDPSpec(sig_fields.FieldMDPAction.INCLUDE, fields=['FIELD']))
    inspect_pdf(prefix_lock)  # accepted at upload: our names are not known yet
    with pytest.raises(PdfRejected) as caught:
        prepare_pdf(prefix_lock, our_fields(visible_first=False))
    assert caught.value.code == 'signed_fields_locked' and 'FIELD_7_1' in str(caught.value)


# -- (d) a signature already broken, or a file changed after it was signed, refused at upload -------


@pytest.mark.parametrize('tamper, problem', [
    (flip_byte_in_page_content, 'the signed content was changed'),
    (overlay_content_after_signing, 'the PDF was changed after signing (other)'),
    (shadow_hide_with_annotation, 'the PDF was changed after signing (other)'),
])
def test_broken_signature_is_refused_at_upload(signed_elsewhere, tamper, problem):
    """Our updates cannot mend their signature: a file whose signature (or their service's
    document timestamp) no longer holds would end as "Problems found" in the archive."""
    theirs, their_count = signed_elsewhere
    # Intact, though signed by an authority nobody here trusts: accepted.
    assert validate_pdf(theirs, trust_roots=[]).verdict == 'untrusted'
    assert inspect_pdf(theirs).signature_count == their_count

    broken = tamper(theirs, None)
    with pytest.raises(PdfRejected) as caught:
        inspect_pdf(broken)
    assert caught.value.code == 'signature_broken'
    assert f'{EXTERNAL_FIELD}: {problem}' in str(caught.value)
    if their_count == 2:  # their document timestamp covers the same bytes
        assert 'OtherServiceTimestamp: ' in str(caught.value)
    with pytest.raises(PdfRejected) as caught:
        prepare_pdf(broken, our_fields(visible_first=False))
    assert caught.value.code == 'signature_broken'
    # what the archive would have said of the contract made from it
    assert validate_pdf(broken, trust_roots=[]).verdict in ('invalid', 'modified')


def test_upload_check_of_an_untrusted_signature_logs_nothing(signed_elsewhere, caplog):
    """No trust root is asked for at upload: pyHanko's path-building warnings are expected there,
    and a server log holding a traceback per uploaded file would hide real trouble. The archive's
    validation, which does ask for trust, still says why a path could not be built."""
    theirs, _count = signed_elsewhere
    with caplog.at_level(logging.WARNING):
        inspect_pdf(theirs)
    assert not [record for record in caplog.records if record.name.startswith('pyhanko')], caplog.text
    with caplog.at_level(logging.WARNING):
        validate_pdf(theirs, trust_roots=[])
    assert any(record.getMessage().startswith('Failed to build path') for record in caplog.records)


def test_report_tells_an_unknown_authority_from_a_broken_signature(pki, party):
    """The report tells a signature made elsewhere (unknown CA) from a broken one."""
    theirs = sign_externally(samples.simple_pdf(1), party)
    report = validate_pdf(theirs, trust_roots=[pki.root.asn1])
    external, = report.signatures
    assert external.intact and external.valid and external.trust_problem == 'unknown_ca' and external.external
    # Nothing in it is this service's: intact, but not trusted here.
    assert report.verdict == 'untrusted'
    trusted, = validate_pdf(theirs, trust_roots=[to_asn1_cert(party.root)]).signatures
    assert trusted.verdict == 'valid' and trusted.trust_problem == '' and not trusted.external


# -- (e) a signature this service cannot check: refused, without calling it broken -----------------


def test_sha1_signature_is_refused_as_unverifiable(party):
    """SHA-1, which older signing software still uses, is refused by pyHanko's default
    algorithm policy before anything is checked. Intact, the file is refused as one this
    service cannot verify, not as changed; changed, it is broken whatever its algorithm."""
    plain = samples.simple_pdf(1)
    theirs = sign_externally(plain, party, md_algorithm='sha1')
    assert [found.validation for found in pdfsig(theirs, [party.root])] == [pdf_checks.SIGNATURE_VALID]
    for check in (inspect_pdf, lambda data: prepare_pdf(data, our_fields(visible_first=False))):
        with pytest.raises(PdfRejected) as caught:
            check(theirs)
        assert caught.value.code == 'signature_unverifiable'
        assert str(caught.value).endswith(f'({EXTERNAL_FIELD}: sha1 is too weak)'), str(caught.value)

    for tamper, problem in ((flip_byte_in_page_content, 'the signed content was changed'),
                            (flip_bit_in_signature_value, 'the signature value does not verify'),
                            (overlay_content_after_signing, 'the PDF was changed after signing (other)')):
        with pytest.raises(PdfRejected) as caught:
            inspect_pdf(tamper(theirs, None))
        assert caught.value.code == 'signature_broken', tamper.__name__
        assert f'({EXTERNAL_FIELD}: {problem})' in str(caught.value)

    assert inspect_pdf(sign_externally(plain, party)).signature_count == 1, 'the same with SHA-256 is taken'


@pytest.mark.parametrize('stamped_by', ['signature_timestamp', 'document_timestamp'])
def test_timestamp_signed_with_sha1_is_refused_as_unverifiable(party, stamped_by):
    """Their signature is SHA-256, but their TSA signs its tokens with SHA-1."""
    plain = samples.simple_pdf(1)
    if stamped_by == 'signature_timestamp':
        theirs, field = sign_externally(plain, party, timestamper=sha1_timestamper(party)), EXTERNAL_FIELD
    else:
        theirs = timestamp_externally(sign_externally(plain, party), sha1_timestamper(party))
        field = 'OtherServiceTimestamp'
    with pytest.raises(PdfRejected) as caught:
        inspect_pdf(theirs)
    assert caught.value.code == 'signature_unverifiable'
    assert str(caught.value).endswith(f'({field}: sha1 is too weak)'), str(caught.value)


def test_old_format_signature_is_refused_as_unverifiable(party):
    """adbe.pkcs7.sha1, the format of old signing software: pyHanko cannot check it at all."""
    theirs = sign_in_old_format(samples.simple_pdf(1), party)
    found, = pdfsig(theirs, [party.root])
    assert (found.kind, found.validation) == ('adbe.pkcs7.sha1', pdf_checks.SIGNATURE_VALID)
    with pytest.raises(PdfRejected) as caught:
        inspect_pdf(theirs)
    assert caught.value.code == 'signature_unverifiable'
    assert str(caught.value).endswith(f'({EXTERNAL_FIELD}: unsupported signature format (adbe.pkcs7.sha1))')

    # Beside a broken signature, the file is called broken: the original file is what is needed.
    broken = flip_byte_in_page_content(sign_externally(theirs, party, field_name='LaterSignature'), None)
    with pytest.raises(PdfRejected) as caught:
        inspect_pdf(broken)
    assert caught.value.code == 'signature_broken'
    assert str(caught.value).endswith(f'({EXTERNAL_FIELD}: unsupported signature format (adbe.pkcs7.sha1); '
                                      'LaterSignature: the signed content was changed)'), str(caught.value)


# -- another service's long-term (B-LTA) output --------------------------------------------------


def their_long_term_output(party, party_timestamper):
    """What another e-contract service delivers: its signature, its validation data
    (certificates, OCSP answers, CRLs of its own CA) in the DSS, its document timestamp."""
    revocation = party.pki.revocation_data([party.person, party.pki.tsa])
    context = ValidationContext(trust_roots=[party.pki.root.asn1], other_certs=[c.asn1 for c in party.pki.chain],
                                crls=revocation['crls'], ocsps=revocation['ocsps'], allow_fetching=False)
    signed = sign_externally(samples.simple_pdf(1, '業務委託契約書', japanese=True), party,
                             subfilter=sig_fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    return signers.PdfTimeStamper(party_timestamper, field_name='OtherServiceTimestamp').timestamp_pdf(
        writer, 'sha256', validation_context=context).getvalue()


def dss_contents(data):
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(data)))
    def streams(references):
        return {reference.get_object().data for reference in references}
    return streams(dss.certs.values()), streams(dss.ocsps), streams(dss.crls)


def test_another_services_validation_data_survives_ours(pki, signer, timestamper, party, party_timestamper):
    theirs = their_long_term_output(party, party_timestamper)
    their_certs, their_ocsps, their_crls = dss_contents(theirs)
    assert their_certs and their_ocsps and their_crls, 'their output carries its own validation data'

    final = through_the_envelope(theirs, signer, timestamper, pki, our_fields(visible_first=False))

    # Their DSS entries are kept beside ours: nothing of theirs is dropped by our finalization.
    certs, ocsps, crls = dss_contents(final)
    assert their_certs <= certs and their_ocsps <= ocsps and their_crls <= crls
    assert (certs - their_certs) and (ocsps - their_ocsps), 'ours were added'
    # Their signature still validates at the PAdES-LTA level from the embedded data alone
    # (nothing fetched), their root and ours trusted: their proof lasts as long as ours.
    reader = PdfFileReader(io.BytesIO(final))
    roots = [party.pki.root.asn1, pki.root.asn1]
    embedded_only = DocumentSecurityStore.read_dss(reader).as_validation_context(
        {'trust_roots': roots, 'allow_fetching': False})
    their_signature = next(sig for sig in reader.embedded_regular_signatures if sig.field_name == EXTERNAL_FIELD)
    lta = validate_pdf_ltv_signature(their_signature, RevocationInfoValidationType.PADES_LTA,
                                     {'trust_roots': roots}, bootstrap_validation_context=embedded_only)
    assert lta.bottom_line, lta.pretty_print_details()
    qpdf_check(final)
    assert_pdfsig_all_valid(final, [EXTERNAL_FIELD, *OURS], [pki.root.cert, party.root])
