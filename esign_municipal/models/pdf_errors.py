"""Clear messages for what the PDF engine refuses, in the user's language.

The engines (esign_municipal/engine, esign_timestamp/engine, plain Python)
raise exceptions carrying a stable `code`; the models that call them (the
envelope's documents, templates, signing, the archive) turn them into
messages a municipal clerk understands through these functions. The engine
itself is called directly by those models.
"""
import logging

from odoo.exceptions import UserError

from odoo.addons.esign_timestamp.engine.errors import TimestampError

from ..engine import pdf_prepare
from ..engine.errors import EngineError, PdfRejected

_logger = logging.getLogger(__name__)

# Timestamp failures that go away by themselves (the TSA is down or slow):
# the signature is kept pending and retried by a cron.
TRANSIENT_TIMESTAMP_CODES = {'unreachable', 'timeout', 'http_error'}
# The PDF may be at most this large to be registered in the archive (bytes).
MAX_PDF_SIZE = 100 * 1024 * 1024
# An uploaded PDF may be at most this large to be verified (署名検証), by
# anyone: validating it runs on the server.
VERIFY_MAX_PDF_SIZE = 20 * 1024 * 1024


# -- documents to sign ------------------------------------------------------------------


def _rejection_message(env, code, name):
    _ = env._
    messages = {
        'not_pdf': _('"%s" is not a PDF file. Upload the document as a PDF.', name),
        'truncated': _('"%s" is incomplete (the file was cut off). Export it again as a PDF and upload it.', name),
        'damaged': _('"%s" is damaged and cannot be read. Export it again as a PDF and upload it.', name),
        'encrypted': _('"%s" is protected by a password or encryption. Upload a PDF without protection.', name),
        'certified_no_changes': _(
            '"%s" is already signed, and its signature (a certification "no changes allowed") forbids any '
            'change: a signature added here would invalidate it, so it cannot be signed. Ask its author for '
            'the document before it was certified, or for a version that allows signing.', name),
        'signed_fields_locked': _(
            '"%s" is already signed, and that signature locks its form fields so that a signature added here '
            'would be reported as breaking it: it cannot be signed. Ask its author for the document before it '
            'was signed, or for a version signed without locking its fields.', name),
        'certified_invisible_only': _(
            '"%s" is certified by its author for form filling and signing only: a visible signature (a stamp '
            'on the page) added here would break the certification. Set the signature type of its signers to '
            'Invisible signature.', name),
        'xfa': _('"%s" is an XFA form, which cannot be signed. Print it to a normal PDF and upload that.', name),
        'no_pages': _('"%s" has no pages.', name),
        'signed_no_form_fields': _(
            '"%s" is already signed elsewhere: only signature fields can be placed on it, no text, date or '
            'checkbox fields.', name),
        'signature_broken': _(
            '"%s" is already signed, but its signature is no longer valid: the signed content was changed, or the '
            'file was changed after it was signed. Signed here, it would not make a valid contract. Ask the sender '
            'for the original signed file and upload that.', name),
        'signature_unverifiable': _(
            '"%s" is already signed, but its signature uses an outdated algorithm (such as SHA-1, no longer '
            'considered secure) or a format that this service cannot verify: it cannot be shown to be valid, so '
            'neither could the contract signed here. Ask the sender for the file signed with a current algorithm '
            '(such as SHA-256) and upload that.', name),
    }
    return messages.get(code) or _('"%(name)s" cannot be signed (%(code)s). Upload another PDF.',
                                   name=name, code=code)


def inspect_pdf(env, data, name):
    """PdfInfo(page_count, page_sizes, ...) of a signable PDF, or a UserError saying why not."""
    if not data:
        raise UserError(env._('"%s" is empty. Upload the document as a PDF.', name))
    try:
        return pdf_prepare.inspect_pdf(data)
    except PdfRejected as exc:
        raise UserError(_rejection_message(env, exc.code, name)) from exc


def check_field_specs(env, info, specs, name):
    """A UserError when the fields `specs` cannot be created in the PDF `info`
    describes without invalidating a signature it already carries."""
    try:
        pdf_prepare.check_field_specs(info, specs)
    except PdfRejected as exc:
        raise UserError(_rejection_message(env, exc.code, name)) from exc


def signed_form_message(env, name):
    """Why the PDF `name`, already signed elsewhere, takes no text, date or checkbox
    field: the words of the refusal at sending, for fields placed before any
    envelope is sent (a template's form)."""
    return _rejection_message(env, 'signed_no_form_fields', name)


def prepare_pdf(env, data, specs, name, info=None):
    try:
        return pdf_prepare.prepare_pdf(data, specs, info)
    except PdfRejected as exc:
        raise UserError(_rejection_message(env, exc.code, name)) from exc
    except EngineError as exc:
        raise UserError(env._('The fields of "%(name)s" could not be created: %(detail)s',
                              name=name, detail=str(exc))) from exc


# -- contracts registered in the archive ----------------------------------------------------
# Their own wording on purpose: what is registered is a finished contract,
# often a scan of paper, that is timestamped as it is (never signed or
# changed here), so the clerk is asked to register another copy or scan,
# not to upload a document to sign.


def check_readable(env, data, name):
    """Raises a UserError unless `data` is a PDF the archive can timestamp."""
    _ = env._
    if not data:
        raise UserError(_('"%s" is empty. Upload the contract as a PDF.', name))
    if len(data) > MAX_PDF_SIZE:
        raise UserError(_('"%(name)s" is larger than %(size)s MB.', name=name, size=MAX_PDF_SIZE // (1024 * 1024)))
    try:
        reader = pdf_prepare.open_reader(data)
    except PdfRejected as exc:
        messages = {
            'not_pdf': _('"%s" is not a PDF file. Upload the contract as a PDF.', name),
            'truncated': _('"%s" is incomplete (the file was cut off). Scan or export it again.', name),
        }
        raise UserError(messages.get(exc.code) or _('"%s" is damaged and cannot be read.', name)) from exc
    if reader.encrypted:
        raise UserError(_('"%s" is protected by a password or encryption. Register a copy without protection.',
                          name))
    return reader


# -- timestamp and signing failures ------------------------------------------------------


def _timestamp_error(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, TimestampError):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def is_transient_timestamp_failure(exc):
    """True when `exc` (or what caused it) is a timestamp authority outage."""
    error = _timestamp_error(exc)
    return bool(error and error.code in TRANSIENT_TIMESTAMP_CODES)


def signing_user_error(env, exc):
    """A UserError for a signing failure that waiting will not fix; None when `exc` is not an engine error."""
    error = _timestamp_error(exc)
    if error is not None:
        _logger.warning('timestamp refused: %s (%s)', error, error.code)
        return UserError(env._('Nothing was signed: %s', env['esign.tsa']._error_message(error)))
    if isinstance(exc, EngineError):
        _logger.warning('signing refused: %s (%s)', exc, exc.code)
        return UserError(env._('The document could not be signed (%s). Nothing was signed; please contact the '
                               'sender.', exc.code))
    return None


def archive_timestamp_error(env, exc, name):
    """A UserError saying why a timestamp could not be added to `name` in the archive; nothing was stored."""
    _ = env._
    if isinstance(exc, UserError):
        return exc
    error = _timestamp_error(exc)
    if error is not None and error.code in TRANSIENT_TIMESTAMP_CODES:
        return UserError(_('The timestamp authority could not be reached, so "%s" was not timestamped and '
                           'nothing was saved. Please try again later.', name))
    if error is not None:
        return UserError(_('"%(name)s" was not timestamped: %(reason)s',
                           name=name, reason=env['esign.tsa']._error_message(error)))
    if isinstance(exc, EngineError):
        _logger.warning('archive timestamp refused for %s: %s (%s)', name, exc, exc.code)
        return UserError(_('"%(name)s" could not be timestamped (%(code)s). Nothing was saved.',
                           name=name, code=exc.code))
    _logger.warning('archive timestamp failed for %s', name, exc_info=True)
    return UserError(_('"%s" could not be timestamped. Nothing was saved.', name))
