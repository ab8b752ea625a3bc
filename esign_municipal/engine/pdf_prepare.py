"""Before anyone signs: refuse what cannot be signed, then create every field.

All signature and form fields of every signer are created in one incremental
update before the first signature, so that later steps only fill values and
append signatures, and earlier signatures stay valid.
"""
import io
from dataclasses import dataclass, field

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sig_fields
from pyhanko.sign.validation import read_certification_data

from . import form_fields, signature_integrity
from .errors import EngineError, PdfRejected

# code -> English message (the Odoo layer translates by code)
REJECTIONS = {
    'not_pdf': 'The file is not a PDF.',
    'truncated': 'The PDF is incomplete (truncated).',
    'damaged': 'The PDF is damaged and cannot be read.',
    'encrypted': 'The PDF is protected by a password or encryption.',
    'certified_no_changes': 'The PDF carries a signature that allows no further changes (DocMDP P=1), '
                            'so it cannot be signed without invalidating it.',
    'signed_fields_locked': 'The PDF carries a signature whose field lock (FieldMDP) a new signature would '
                            'be reported as breaking, so it cannot be signed.',
    'certified_invisible_only': 'The PDF is certified by its author: a new visible signature would break the '
                                'certification, only invisible ones can be added.',
    'xfa': 'The PDF is an XFA form, which cannot be signed reliably.',
    'no_pages': 'The PDF has no pages.',
    'signed_no_form_fields': 'The PDF is already signed: only signature fields can be added to it '
                             'without breaking the existing signatures.',
    'signature_broken': 'A signature or document timestamp already in the PDF is broken, or the PDF was changed '
                        'after it was signed beyond what signatures allow: signed here, it would not make a valid '
                        'contract.',
    'signature_unverifiable': 'A signature or document timestamp already in the PDF uses an algorithm too weak to '
                              'be accepted (such as SHA-1) or a format that cannot be verified: signed here, the '
                              'contract could not be shown to be valid.',
}


@dataclass
class PdfInfo:
    """What preparing a PDF must respect.

    mdp_permission: the strictest DocMDP permission in force (a certification,
    or the /Lock /P of a signed field), None when the PDF is not certified.
    field_locks: the FieldMDP locks (pyHanko FieldMDPSpec) of its signatures.
    """
    page_count: int
    page_sizes: list  # [(width, height)] in points, per page (crop box)
    signature_count: int = 0
    field_names: list = field(default_factory=list)
    mdp_permission: sig_fields.MDPPerm = None
    field_locks: list = field(default_factory=list)

    def is_locked(self, field_name):
        """Whether a signature already in the PDF locks a field of this name."""
        return any(lock.is_locked(field_name) for lock in self.field_locks)


def _reject(code, detail=''):
    raise PdfRejected(code, REJECTIONS[code] + (f' ({detail})' if detail else ''))


def open_reader(data):
    """A pyHanko reader over the bytes, after the checks that need no parsing."""
    head = bytes(data[:1024])
    if b'%PDF-' not in head:
        _reject('not_pdf')
    if b'%%EOF' not in bytes(data[-2048:]):
        _reject('truncated')
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        reader.root  # resolves the trailer and catalog
    except Exception as exc:  # pyHanko raises several kinds on broken files
        _reject('damaged', type(exc).__name__)
    return reader


# pyHanko copies the previous revisions into the output 4 KiB at a time; on a
# 50 MB scan that is 12,000 writes. 1 MiB chunks cost nothing and save them.
COPY_CHUNK = 1 << 20


def open_writer(reader):
    """An incremental writer over a reader from open_reader."""
    writer = IncrementalPdfFileWriter.from_reader(reader)
    writer.IO_CHUNK_SIZE = COPY_CHUNK
    return writer


def inspect_pdf(data):
    """PdfInfo of a signable PDF; raises PdfRejected with a code otherwise."""
    reader = open_reader(data)
    if reader.encrypted:
        _reject('encrypted')
    try:
        root = reader.root
        acroform = root.get('/AcroForm')
        if acroform is not None and '/XFA' in acroform.get_object():
            _reject('xfa')
        signatures = reader.embedded_signatures
        # Our updates keep an intact signature intact; they cannot mend a broken one,
        # nor make one checkable that was made with a refused algorithm or format.
        problems = signature_integrity.signature_problems(signatures)
        if problems:
            # a broken one decides: it calls for the original file, not for another algorithm
            broken = any(code == signature_integrity.BROKEN for code, _name, _problem in problems)
            _reject('signature_broken' if broken else 'signature_unverifiable',
                    '; '.join(f'{name}: {problem}' for _code, name, problem in problems))
        permission, locks, frozen = _modification_limits(reader)
        if permission == sig_fields.MDPPerm.NO_CHANGES:
            _reject('certified_no_changes')
        if frozen:
            _reject('signed_fields_locked')
        page_count = int(root['/Pages']['/Count'])
        if page_count < 1:
            _reject('no_pages')
        sizes = [_page_size(reader, index) for index in range(page_count)]
        names = [name for name, _value, _ref in form_fields.enumerate_fields(reader)]
    except PdfRejected:
        raise
    except Exception as exc:
        _reject('damaged', type(exc).__name__)
    return PdfInfo(page_count=page_count, page_sizes=sizes, signature_count=len(signatures), field_names=names,
                   mdp_permission=permission, field_locks=locks)


def _modification_limits(reader):
    """What the signatures already in the PDF allow (署名互換: what we add must
    stay within them, or they are reported as broken).

    Returns (strictest DocMDP permission or None, [FieldMDPSpec], frozen):
    DocMDP comes from the certification or from a signed field's /Lock /P
    (ISO 32000-2); FieldMDP from the field's /Lock and from the signature's
    /Reference, which is where pyHanko's modification analysis reads it.
    frozen: a signature that no later update can leave intact.
    """
    permissions, locks, frozen = [], [], False
    certification = read_certification_data(reader)
    if certification is not None and certification.permission is not None:
        permissions.append(certification.permission)
    for sig in reader.embedded_regular_signatures:
        lock = sig.sig_field.get('/Lock')
        lock = lock.get_object() if lock is not None else {}
        if '/P' in lock:
            permissions.append(sig_fields.MDPPerm(lock['/P']))
        own = [sig_fields.FieldMDPSpec.from_pdf_object(lock)] if '/Action' in lock else []
        own += [sig.fieldmdp] if sig.fieldmdp is not None else []
        # /All and /Exclude lock every field created later, ours included.
        frozen = frozen or any(spec.action != sig_fields.FieldMDPAction.INCLUDE for spec in own) \
            or any(_locked_appearance_predates(reader, sig, spec) for spec in own)
        locks += own
    return min(permissions, default=None), locks, frozen


def _locked_appearance_predates(reader, sig, lock):
    """Whether `lock` (of signature `sig`) covers a form field whose appearance
    stream was written before the revision `sig` signed.

    pyHanko 0.28 then reports every later update, validation data included,
    as a change to that locked field (its in-place appearance check compares
    against the signed revision instead of the update's): the signature would
    read as broken in its analysis and in our report after our first update.
    """
    for name, field_obj, _ref in form_fields.enumerate_fields(reader):
        if field_obj.get('/FT') == '/Sig' or not lock.is_locked(name) or '/AP' not in field_obj:
            continue
        appearance = field_obj['/AP']
        for key in ('/N', '/R', '/D'):
            stream = appearance.raw_get(key) if key in appearance else None
            if isinstance(stream, generic.IndirectObject) and \
                    reader.xrefs.get_last_change(stream.reference) < sig.signed_revision:
                return True
    return False


def _page_size(reader, index):
    page_ref, _resources = reader.find_page_for_modification(index)
    page = page_ref.get_object()
    box = page.get('/CropBox') or _inherited(page, '/MediaBox')
    x1, y1, x2, y2 = (float(v) for v in box)
    if int(_inherited(page, '/Rotate') or 0) % 180:
        return abs(y2 - y1), abs(x2 - x1)
    return abs(x2 - x1), abs(y2 - y1)


def _inherited(page, key):
    node = page
    while node is not None:
        node = node.get_object()
        if key in node:
            return node[key]
        node = node.get('/Parent')
    return None


def prepare_pdf(data, field_specs, info=None):
    """The PDF with every field of field_specs created, in one incremental update.
    info: inspect_pdf(data), when the caller has it already (it checks every signature)."""
    info = info or inspect_pdf(data)
    specs = list(field_specs)
    existing = set(info.field_names)
    for spec in specs:
        if spec.name in existing:
            raise EngineError('field_exists', f'the PDF already has a field named {spec.name}')
        existing.add(spec.name)
        if not 0 <= spec.page < info.page_count:
            raise EngineError('bad_field', f'field {spec.name} is on page {spec.page + 1}, '
                                           f'the PDF has {info.page_count} pages')
    check_field_specs(info, specs)
    if not specs:
        return bytes(data)
    writer = open_writer(open_reader(data))
    for spec in specs:
        if spec.kind != 'signature':
            form_fields.create_field(writer, spec)
    for spec in specs:
        if spec.kind == 'signature':
            _create_signature_field(writer, spec, specs)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def check_field_specs(info, specs):
    """Raises PdfRejected when creating these fields would invalidate a
    signature already in the PDF (see PdfInfo); info from inspect_pdf."""
    specs = list(specs)
    if not info.signature_count:
        return
    # pyHanko's modification analysis accepts only new signature fields after a
    # signature (SigFieldCreationRule); other new fields count as changed content.
    if any(spec.kind != 'signature' for spec in specs):
        _reject('signed_no_form_fields')
    # ... and, after a certification, only invisible ones: pyHanko counts a new
    # visible signature field after a certification as a forbidden change
    # (stricter than Acrobat), and our own report is pyHanko's analysis.
    if info.mdp_permission is not None and any(spec.visible for spec in specs):
        _reject('certified_invisible_only')
    locked = [spec.name for spec in specs if info.is_locked(spec.name)]
    if locked:
        _reject('signed_fields_locked', ', '.join(locked))


def _create_signature_field(writer, spec, specs):
    own_fields = [other.name for other in specs
                  if other.kind != 'signature' and spec.signer_key is not None and other.signer_key == spec.signer_key]
    lock = (sig_fields.FieldMDPSpec(sig_fields.FieldMDPAction.INCLUDE, fields=own_fields) if own_fields else None)
    sig_fields.append_signature_field(writer, sig_fields.SigFieldSpec(
        sig_field_name=spec.name,
        on_page=spec.page,
        box=tuple(spec.rect) if spec.visible else None,
        field_mdp_spec=lock,
        readable_field_name=spec.label or None,
    ))
    if spec.required:
        field_ref = form_fields.find_field(writer, spec.name)
        field_obj = field_ref.get_object()
        field_obj['/Ff'] = generic.NumberObject(form_fields.FLAG_REQUIRED)
        writer.update_container(field_obj)
