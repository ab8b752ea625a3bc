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

A signature this service cannot check is not called broken: one in a format
pyHanko does not read (its SubFilter, e.g. the old adbe.pkcs7.sha1), or one
made with an algorithm pyHanko's default policy refuses (SHA-1, MD5, an RSA
key under 2048 bits). pyHanko refuses such an algorithm before it checks
anything, so the signature is checked again with every algorithm allowed: a
broken one is still called broken, an intact one "unverifiable", naming what
was refused.
"""
import contextlib
import logging
import threading

from asn1crypto.algos import DigestAlgorithm
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.errors import DisallowedAlgorithmError
from pyhanko.sign.validation.generic_cms import extract_certs_for_validation, extract_tst_data
from pyhanko.sign.validation.utils import CMSAlgorithmUsagePolicy
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import AcceptAllAlgorithms

# What may change after a signature without breaking it: validation data and
# document timestamps, the filling and signing of form fields.
ALLOWED_LATER_CHANGES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
WHOLE_REVISION = (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION)
# The formats pyHanko validates, by signature type; any other it cannot check at all.
SUPPORTED_SUBFILTERS = {
    '/Sig': (SigSeedSubFilter.ADOBE_PKCS7_DETACHED.value, SigSeedSubFilter.PADES.value),
    '/DocTimeStamp': (SigSeedSubFilter.ETSI_RFC3161.value,),
}
# The PdfRejected codes: the signed bytes or the file changed; or the signature cannot be checked here.
BROKEN = 'signature_broken'
UNVERIFIABLE = 'signature_unverifiable'

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


def signature_problems(signatures):
    """[(code, field name, problem)] for each of `signatures` (a reader's
    embedded_signatures) that is not intact, or after which the PDF was
    changed beyond what signatures allow (code BROKEN), or that cannot be
    checked here (UNVERIFIABLE); [] when all are sound, trusted here or not."""
    found = []
    with _path_failures_expected():
        for signature in signatures:
            problem = _problem(signature)
            if problem:
                code, text = problem
                found.append((code, signature.field_name or '?', text))
    return found


def _problem(signature):
    """(code, problem) of one signature, None when it is sound."""
    subfilter = signature.sig_object.get('/SubFilter')
    if subfilter not in SUPPORTED_SUBFILTERS.get(signature.sig_object_type, ()):
        return UNVERIFIABLE, f'unsupported signature format ({str(subfilter or "none").lstrip("/")})'
    try:
        return _integrity_problem(signature, _context())
    except DisallowedAlgorithmError:
        pass  # refused before anything was checked: see below
    except Exception as exc:  # malformed CMS, a mechanism pyHanko does not implement...
        return BROKEN, f'unreadable ({type(exc).__name__})'
    try:
        problem = _integrity_problem(signature, _context(AcceptAllAlgorithms()))
    except Exception as exc:
        return BROKEN, f'unreadable ({type(exc).__name__})'
    return problem or (UNVERIFIABLE, _refused_algorithm(signature))


def _context(algorithm_policy=None):
    # None: pyHanko's default policy, which refuses weak digests and short keys
    return ValidationContext(trust_roots=[], allow_fetching=False, algorithm_usage_policy=algorithm_policy)


def _integrity_problem(signature, context):
    """(BROKEN, problem), or None when the signature holds under `context`'s algorithm policy."""
    if signature.sig_object_type == '/DocTimeStamp':
        status = validate_pdf_timestamp(signature, context)
    else:
        status = validate_pdf_signature(signature, context)
    if not status.intact:
        return BROKEN, 'the signed content was changed'
    if not status.valid:
        return BROKEN, 'the signature value does not verify'
    timestamp = getattr(status, 'timestamp_validity', None)
    if timestamp is not None and not (timestamp.intact and timestamp.valid):
        return BROKEN, 'its timestamp is broken'
    if status.coverage not in WHOLE_REVISION:
        return BROKEN, 'it does not cover its whole revision'
    level = status.modification_level
    if level is not None and level not in ALLOWED_LATER_CHANGES:
        return BROKEN, f'the PDF was changed after signing ({level.name.lower()})'
    if status.docmdp_ok is False:
        return BROKEN, 'the PDF was changed beyond what its certification allows'
    return None


def _refused_algorithm(signature):
    """What the default policy refuses in the signature or in a timestamp token
    it carries, in words: 'sha1 is too weak', or pyHanko's own reason."""
    policy = CMSAlgorithmUsagePolicy.lift_policy(_context().algorithm_policy)
    signer_info = signature.signer_info
    tokens = [signature.signed_data] + [extract_tst_data(signer_info, signed=signed) for signed in (True, False)]
    for signed_data in filter(None, tokens):
        refused = _refused_in(policy, signed_data)
        if refused:
            return refused
    return 'an algorithm refused by the algorithm policy'


def _refused_in(policy, signed_data):
    signer_info = signed_data['signer_infos'][0]
    digest = signer_info['digest_algorithm']
    if not policy.digest_algorithm_allowed(digest, None):
        return f"{digest['algorithm'].native} is too weak"
    mechanism = signer_info['signature_algorithm']
    try:
        mechanism_digest = mechanism.hash_algo
    except ValueError:  # e.g. RSASSA-PSS, whose digest is a parameter
        mechanism_digest = None
    if mechanism_digest and not policy.digest_algorithm_allowed(
            DigestAlgorithm({'algorithm': mechanism_digest}), None):
        return f'{mechanism_digest} is too weak'
    key = extract_certs_for_validation(signed_data).signer_cert.public_key
    allowed = policy.signature_algorithm_allowed(mechanism, None, key)
    if not allowed:
        return allowed.failure_reason or f"{mechanism['algorithm'].native} is not allowed"
    return ''
