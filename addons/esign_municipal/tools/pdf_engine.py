"""The Odoo side of the PDF engine: records in, engine calls, clear messages out.

The engine (esign_municipal/engine, plain Python) raises exceptions carrying a
stable `code`; this module turns them into messages a municipal clerk
understands, in the user's language. It is the one place that imports the
engine, so the Odoo layer never depends on its module layout.
"""
import logging

from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

# Timestamp failures that go away by themselves (the TSA is down or slow):
# the signature is kept pending and retried by a cron.
TRANSIENT_TIMESTAMP_CODES = {'unreachable', 'timeout', 'http_error'}


def _engine():
    from odoo.addons.esign_municipal.engine import ltv, pdf_prepare, witness  # noqa: PLC0415
    return pdf_prepare, witness, ltv


def _rejection_message(env, code, name):
    messages = {
        'not_pdf': env._('"%s" is not a PDF file. Upload the document as a PDF.', name),
        'truncated': env._('"%s" is damaged or incomplete. Export it again as a PDF and upload it.', name),
        'encrypted': env._('"%s" is protected by a password or encryption. Upload a PDF without protection.', name),
        'certified_no_changes': env._(
            '"%s" is certified so that no changes are allowed, so it cannot be signed. Upload the document '
            'before it was certified.', name),
        'xfa': env._('"%s" is an XFA form, which cannot be signed. Print it to a normal PDF and upload that.', name),
    }
    return messages.get(code) or env._('"%(name)s" cannot be signed (%(code)s). Upload another PDF.',
                                       name=name, code=code)


def inspect_pdf(env, data, name):
    """PdfInfo(page_count, page_sizes) of a signable PDF, or a UserError saying why not."""
    pdf_prepare, _witness, _ltv = _engine()
    if not data:
        raise UserError(env._('"%s" is empty. Upload the document as a PDF.', name))
    try:
        return pdf_prepare.inspect_pdf(data)
    except pdf_prepare.PdfRejected as exc:
        raise UserError(_rejection_message(env, getattr(exc, 'code', ''), name)) from exc


def field_spec(name, kind, page, rect, label='', required=False, signer_key=None):
    pdf_prepare, _witness, _ltv = _engine()
    return pdf_prepare.FieldSpec(name=name, kind=kind, page=page, rect=rect, label=label,
                                 required=required, signer_key=signer_key)


def prepare_pdf(env, data, specs, name):
    pdf_prepare, _witness, _ltv = _engine()
    try:
        return pdf_prepare.prepare_pdf(data, specs)
    except pdf_prepare.PdfRejected as exc:
        raise UserError(_rejection_message(env, getattr(exc, 'code', ''), name)) from exc


def witness_reason(name, email, when_utc):
    _pdf_prepare, witness, _ltv = _engine()
    return witness.witness_reason(name, email, when_utc)


def sign_for_signer(data, **kwargs):
    _pdf_prepare, witness, _ltv = _engine()
    return witness.sign_for_signer(data, **kwargs)


def finalize(data, **kwargs):
    _pdf_prepare, _witness, ltv = _engine()
    return ltv.finalize(data, **kwargs)


def is_transient_timestamp_failure(exc):
    """True when `exc` (or what caused it) is a timestamp authority outage."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if type(exc).__name__ == 'TimestampError' and getattr(exc, 'code', None) in TRANSIENT_TIMESTAMP_CODES:
            return True
        exc = exc.__cause__ or exc.__context__
    return False
