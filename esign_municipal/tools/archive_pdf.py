"""Clear messages for the archive's PDF work (registering, renewing)."""
import logging

from odoo.exceptions import UserError

from ..engine.errors import EngineError, PdfRejected
from ..engine.pdf_prepare import open_reader
from . import pdf_engine

_logger = logging.getLogger(__name__)

# The PDF may be at most this large to be registered (bytes).
MAX_PDF_SIZE = 100 * 1024 * 1024
# An uploaded PDF may be at most this large to be verified (署名検証), by
# anyone: validating it runs on the server.
VERIFY_MAX_PDF_SIZE = 20 * 1024 * 1024


def check_readable(env, data, name):
    """Raises a UserError unless `data` is a PDF that can be timestamped."""
    _ = env._
    if not data:
        raise UserError(_('"%s" is empty. Upload the contract as a PDF.', name))
    if len(data) > MAX_PDF_SIZE:
        raise UserError(_('"%(name)s" is larger than %(size)s MB.', name=name, size=MAX_PDF_SIZE // (1024 * 1024)))
    try:
        reader = open_reader(data)
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


def timestamp_error(env, exc, name):
    """A UserError saying why a timestamp could not be added to `name`; nothing was stored."""
    _ = env._
    if isinstance(exc, UserError):
        return exc
    error = pdf_engine._timestamp_error(exc)  # noqa: SLF001 - the one walker of exception chains
    if error is not None and pdf_engine.is_transient_timestamp_failure(exc):
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
