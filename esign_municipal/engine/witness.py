"""The witness signature (立会人型): on a signer's approval, the service fills
that signer's fields and signs the PDF with its own key, as PAdES B-T
(ETSI.CAdES.detached, signing-certificate-v2, RFC 3161 signature timestamp),
in one incremental update."""
from pyhanko.sign import fields as sig_fields, signers

from . import form_fields, sizing
from .errors import SigningError
from .fonts import SharedFont
from .jst import format_jst, utcnow
from .pdf_prepare import COPY_CHUNK, open_reader, open_writer
from .stamp import Stamp, stamp_style

STRONG_DIGESTS = ('sha256', 'sha384', 'sha512')


def witness_reason(name, email, when_utc):
    """「{name} 様 {email} が 2021-10-07 09:25:23 +09:00 JSTに承認しました」"""
    return f'{name} 様 {email} が {format_jst(when_utc)}に承認しました'


def sign_for_signer(data, *, field_name, values, signer, timestamper, reason, location='日本', stamp=None,
                    font_path=None, signer_name='', signed_at=None, md_algorithm=None):
    """The signed PDF bytes; raises SigningError (or the timestamper's
    TimestampError) and then nothing is applied.

    signer: any pyHanko Signer (SimpleSigner, PKCS11Signer) with its cert
    and chain; timestamper: a pyHanko TimeStamper (rfc3161 client, failover
    or demo). stamp: None for the field's own kind (invisible field: no
    appearance; visible field: name and date), or a stamp.Stamp.
    """
    reader = open_reader(data)
    field_ref = form_fields.find_field(reader, field_name)
    if field_ref is None or field_ref.get_object().get('/FT') != '/Sig':
        raise SigningError('unknown_field', f'the PDF has no signature field named {field_name}')
    field = field_ref.get_object()
    if field.get('/V') is not None:
        raise SigningError('already_signed', f'the signature field {field_name} is already signed')
    width, height = sig_fields.annot_width_height(field)
    visible = bool(width and height)
    if stamp is not None and not visible:
        raise SigningError('field_invisible', f'the signature field {field_name} was prepared invisible')
    signed_at = signed_at or utcnow()
    md_algorithm = md_algorithm or getattr(timestamper, 'hash_algorithm', 'sha256')
    if md_algorithm not in STRONG_DIGESTS:
        raise SigningError('weak_digest', f'{md_algorithm} is not allowed: use SHA-256 or better')

    writer = open_writer(reader)
    font = SharedFont(font_path)
    if values:
        form_fields.fill_values(writer, values, font)
    style = None
    if visible:
        style = stamp_style(stamp or Stamp(), name=signer_name, when_utc=signed_at, font=font)
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name=field_name, md_algorithm=md_algorithm, reason=reason, location=location,
            subfilter=sig_fields.SigSeedSubFilter.PADES),
        signer=signer, timestamper=sizing.Measured(timestamper), stamp_style=style)
    output = pdf_signer.sign_pdf(writer, existing_fields_only=True,
                                 bytes_reserved=sizing.signature_room(signer, timestamper), chunk_size=COPY_CHUNK)
    return output.getvalue()
