"""The Odoo side of the PDF engine: records in, engine calls, clear messages out.

The engines (esign_municipal/engine, esign_timestamp/engine, plain Python)
raise exceptions carrying a stable `code`; this module turns them into
messages a municipal clerk understands, in the user's language. It is the one
place the Odoo layer of esign_municipal calls the PDF engine from.
"""
import logging
import os

from odoo.exceptions import UserError, ValidationError

from odoo.addons.esign_timestamp.engine.errors import TimestampError

from ..engine import font_catalog, ltv, pdf_prepare, witness
from ..engine.errors import EngineError, PdfRejected
from ..engine.fields import FieldSpec

_logger = logging.getLogger(__name__)

# Timestamp failures that go away by themselves (the TSA is down or slow):
# the signature is kept pending and retried by a cron.
TRANSIENT_TIMESTAMP_CODES = {'unreachable', 'timeout', 'http_error'}
# An invisible signature field has no place on the page, but FieldSpec wants a rectangle.
INVISIBLE_RECT = (0, 0, 1, 1)
# The font of visible stamps and filled fields (a font_catalog spec); empty: the engine's default.
FONT_PARAM = 'esign_municipal.font_path'


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


def field_spec(*, name, kind, page, rect, label='', required=False, signer_key=None, visible=False):
    if kind == 'signature' and not visible:
        rect = INVISIBLE_RECT
    return FieldSpec(name=name, kind=kind, page=page, rect=tuple(rect), label=label, required=required,
                     signer_key=signer_key, visible=visible)


def prepare_pdf(env, data, specs, name):
    try:
        return pdf_prepare.prepare_pdf(data, specs)
    except PdfRejected as exc:
        raise UserError(_rejection_message(env, exc.code, name)) from exc
    except EngineError as exc:
        raise UserError(env._('The fields of "%(name)s" could not be created: %(detail)s',
                              name=name, detail=str(exc))) from exc


def witness_reason(name, email, when_utc):
    return witness.witness_reason(name, email, when_utc)


def sign_for_signer(data, **kwargs):
    return witness.sign_for_signer(data, **kwargs)


def finalize(data, **kwargs):
    return ltv.finalize(data, **kwargs)


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


# -- the font of stamps and filled fields ------------------------------------------


def installed_fonts():
    """[(spec, label)] of the Japanese fonts installed on the server."""
    return font_catalog.installed_japanese_fonts()


def default_font():
    """The spec of the font used while none is chosen, or False when none is installed."""
    try:
        return os.path.realpath(font_catalog.default_font_path())
    except FileNotFoundError:
        return False


def check_font(env, spec):
    """The family name of the font `spec` names, or a ValidationError saying what is wrong with it."""
    try:
        return font_catalog.check_font(spec)
    except font_catalog.FontRejected as exc:
        path, face = font_catalog.split_spec(spec)
        _ = env._
        messages = {
            'missing': _('There is no font file at “%(path)s” on the Odoo server. Give the full path of a '
                         'TrueType or OpenType font file (.ttf, .otf or .ttc), for example '
                         '/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf.', path=path),
            'not_font': _('“%(path)s” is not a TrueType or OpenType font, or has no face %(face)s. Choose a '
                          '.ttf, .otf or .ttc font file.', path=path, face=face),
            'no_japanese': _('The font “%(path)s” has no Japanese characters (it lacks %(chars)s): stamps and '
                             'filled text would show gaps. Choose a Japanese font such as IPAex Mincho, IPAex '
                             'Gothic or Noto Sans CJK JP.', path=path, chars=exc.missing_chars),
        }
        raise ValidationError(messages[exc.code]) from None


def configured_font(env):
    """The font spec chosen in Settings (checked when it was saved), or None for the engine's
    default; also None, with a warning, when the file has gone from the server since."""
    spec = env['ir.config_parameter'].sudo().get_param(FONT_PARAM) or None
    if spec and not os.path.isfile(font_catalog.split_spec(spec)[0]):
        _logger.warning('the font chosen for stamps (%s) is no longer on the server; using the default', spec)
        return None
    return spec
