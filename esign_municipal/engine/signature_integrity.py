"""Signatures a PDF already carries (署名互換), checked before it is accepted.

Our fields, witness signatures and final timestamp leave an intact signature
intact, but they cannot mend a broken one: a PDF whose signature or document
timestamp is already broken (the signed bytes changed, the signature value
wrong), or that was changed after signing beyond what signatures allow,
would go through a whole envelope and then show "Problems found" in the
archive for good. Such a PDF is refused before anything is stored.

Trust is not asked for: those signatures come from someone else's
certification authority, unknown here (the report calls them "not trusted
here", not broken). The validation context therefore trusts no root and
fetches nothing; pyHanko still checks the digest, the signature value, an
embedded timestamp token and the changes since each signed revision, which
is what the report's 'invalid' and 'modified' verdicts rest on (validation.py
judges by the same criteria).
"""
import contextlib
import logging
import threading

from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

# What may change after a signature without breaking it: validation data and
# document timestamps, the filling and signing of form fields.
ALLOWED_LATER_CHANGES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
WHOLE_REVISION = (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION)

# With no trust root, pyHanko cannot build any certificate path and says so as a
# warning with a traceback for every signature: expected here, so not logged
# while this thread checks integrity (the archive's validation still logs it).
PATH_BUILDING_LOGGER = 'pyhanko.sign.validation.generic_cms'
_checking = threading.local()


class _ExpectedPathFailures(logging.Filter):
    def filter(self, record):
        return not (getattr(_checking, 'active', False) and record.getMessage().startswith('Failed to build path'))


logging.getLogger(PATH_BUILDING_LOGGER).addFilter(_ExpectedPathFailures())


@contextlib.contextmanager
def _path_failures_expected():
    _checking.active = True
    try:
        yield
    finally:
        _checking.active = False


def broken_signatures(signatures):
    """[(field name, problem)] for each of `signatures` (a reader's
    embedded_signatures) that is not intact, or after which the PDF was
    changed beyond what signatures allow; [] when all are sound, trusted
    here or not."""
    found = []
    with _path_failures_expected():
        for signature in signatures:
            problem = _problem(signature)
            if problem:
                found.append((signature.field_name or '?', problem))
    return found


def _problem(signature):
    context = ValidationContext(trust_roots=[], allow_fetching=False)
    try:
        if signature.sig_object_type == '/DocTimeStamp':
            status = validate_pdf_timestamp(signature, context)
        else:
            status = validate_pdf_signature(signature, context)
    except Exception as exc:  # malformed CMS, unsupported SubFilter or algorithm...
        return f'unreadable ({type(exc).__name__})'
    if not status.intact:
        return 'the signed content was changed'
    if not status.valid:
        return 'the signature value does not verify'
    timestamp = getattr(status, 'timestamp_validity', None)
    if timestamp is not None and not (timestamp.intact and timestamp.valid):
        return 'its timestamp is broken'
    if status.coverage not in WHOLE_REVISION:
        return 'it does not cover its whole revision'
    level = status.modification_level
    if level is not None and level not in ALLOWED_LATER_CHANGES:
        return f'the PDF was changed after signing ({level.name.lower()})'
    if status.docmdp_ok is False:
        return 'the PDF was changed beyond what its certification allows'
    return ''
