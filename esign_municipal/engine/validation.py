"""Validate any PDF into a report, like Acrobat's signature panel (署名検証).

For each signature: who, reason, signing time, timestamp time and TSA, whether
the signed bytes are intact, what changed after it (pyHanko's modification
analysis), whether the chain is trusted and whether the embedded validation
data (LTV) suffices on its own; plus an overall verdict.

A PDF signed elsewhere (署名互換) carries signatures and timestamps of another
party whose certification authority this service does not know: intact, but
not ours to vouch for. When every one of them is intact, nothing was changed
beyond what signatures allow, and this service's own signatures and newest
timestamp are trusted, the verdict is 'valid_with_external': valid, with a
note, rather than 'untrusted'.
"""
import dataclasses
import datetime
from dataclasses import dataclass, field

from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.validation import (
    DocumentSecurityStore, SignatureCoverageLevel, validate_pdf_signature, validate_pdf_timestamp)
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import ValidationContext

from .errors import PdfRejected
from .pdf_prepare import open_reader
from .signature_integrity import ALLOWED_LATER_CHANGES

# worst first: the overall verdict is the worst of the signatures' (see _overall_verdict)
VERDICT_ORDER = ('invalid', 'modified', 'untrusted', 'valid')
# Overall verdicts that say the document is valid: 'valid_with_external' when it
# also holds intact signatures or timestamps made elsewhere (see _overall_verdict).
VALID_VERDICTS = ('valid', 'valid_with_external')


@dataclass
class SignatureReport:
    field_name: str
    kind: str  # 'signature' or 'document_timestamp'
    signer: str = ''
    reason: str = ''
    location: str = ''
    signing_time: datetime.datetime = None
    timestamp_time: datetime.datetime = None
    timestamp_tsa: str = ''
    timestamp_valid: bool = None  # intact, matching and trusted
    timestamp_intact: bool = None  # intact and matching, trusted or not
    timestamp_trust_problem: str = ''  # as trust_problem, for the timestamp's authority
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    # why the signer's certificate is not trusted: 'unknown_ca' (no chain to the
    # roots trusted here: a signature made elsewhere, 署名互換), else pyHanko's
    # AdES sub-indication (e.g. 'revoked_no_poe', 'out_of_bounds_no_poe')
    trust_problem: str = ''
    revoked: bool = False
    # made elsewhere: intact, and not trusted only because its certificate (and
    # its timestamp's, if any) comes from an authority unknown here
    external: bool = False
    coverage: str = ''
    modification_level: str = ''
    ltv: bool = False
    verdict: str = 'invalid'
    problems: list = field(default_factory=list)


@dataclass
class ValidationReport:
    # valid / valid_with_external / untrusted / modified / invalid / no_signatures / unreadable
    verdict: str
    signatures: list = field(default_factory=list)
    ltv: bool = False
    document_timestamped: bool = False
    error_code: str = None
    error: str = ''

    def to_dict(self):
        def plain(value):
            if isinstance(value, datetime.datetime):
                return value.isoformat()
            if isinstance(value, list):
                return [plain(v) for v in value]
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            return value
        return plain(dataclasses.asdict(self))


def validate_pdf(data, *, trust_roots, validation_context=None):
    """ValidationReport of any bytes; never raises for a bad PDF.
    `trust_roots`: asn1crypto certificates."""
    try:
        reader = open_reader(data)
        embedded = reader.embedded_signatures
    except PdfRejected as exc:
        return ValidationReport('unreadable', error_code=exc.code, error=str(exc))
    except Exception as exc:  # a PDF too broken for pyHanko's signature lookup
        return ValidationReport('unreadable', error_code='damaged', error=type(exc).__name__)
    if not embedded:
        return ValidationReport('no_signatures')
    dss_kwargs = _dss_material(reader)
    roots = list(trust_roots)
    reports = [_check(sig, roots, dss_kwargs, validation_context) for sig in embedded]
    return ValidationReport(
        verdict=_overall_verdict(reports), signatures=reports,
        ltv=all(r.ltv for r in reports),
        document_timestamped=any(r.kind == 'document_timestamp' for r in reports))


def _dss_material(reader):
    """other_certs / crls / ocsps embedded in the DSS, as ValidationContext kwargs."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return {'other_certs': [], 'crls': [], 'ocsps': []}
    context = dss.as_validation_context({})
    return {'other_certs': list(dss.load_certs()), 'crls': list(context.crls), 'ocsps': list(context.ocsps)}


def _context(roots, dss_kwargs, **kwargs):
    return ValidationContext(trust_roots=roots, allow_fetching=False, **dss_kwargs, **kwargs)


def _check(sig, roots, dss_kwargs, validation_context):
    is_timestamp = sig.sig_object.get('/Type') == '/DocTimeStamp'
    report = SignatureReport(field_name=sig.field_name or '',
                             kind='document_timestamp' if is_timestamp else 'signature')
    context = validation_context or _context(roots, dss_kwargs, revocation_mode='soft-fail')
    try:
        if is_timestamp:
            status = validate_pdf_timestamp(sig, context)
        else:
            status = validate_pdf_signature(sig, context)
    except Exception as exc:  # malformed CMS, unsupported algorithm...
        report.problems.append(f'unreadable_signature: {exc}')
        return report
    _fill(report, sig, status, is_timestamp)
    report.ltv = _ltv_present(sig, roots, dss_kwargs, report, is_timestamp)
    report.verdict = _verdict(report)
    report.external = _made_elsewhere(report)
    return report


def _fill(report, sig, status, is_timestamp):
    report.signer = status.signing_cert.subject.human_friendly
    report.reason = str(sig.sig_object.get('/Reason', '') or '')
    report.location = str(sig.sig_object.get('/Location', '') or '')
    report.intact, report.valid = status.intact, status.valid
    report.trusted, report.revoked = status.trusted, status.revoked
    report.trust_problem = _trust_problem(status)
    report.coverage = status.coverage.name.lower() if status.coverage else ''
    level = status.modification_level
    report.modification_level = level.name.lower() if level is not None else ''
    if level is not None and level not in ALLOWED_LATER_CHANGES:
        report.problems.append(f'modified_after_signing: {level.name.lower()}')
    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        report.problems.append('partial_coverage')
    if is_timestamp:
        report.timestamp_time = status.timestamp
        report.timestamp_tsa = report.signer
        report.timestamp_intact = status.intact and status.valid
        report.timestamp_valid = report.timestamp_intact and status.trusted
        report.timestamp_trust_problem = report.trust_problem
        return
    report.signing_time = sig.self_reported_timestamp
    if getattr(status, 'docmdp_ok', None) is False:
        report.problems.append('docmdp_violation')
    timestamp = status.timestamp_validity
    if timestamp is not None:
        report.timestamp_time = timestamp.timestamp
        report.timestamp_tsa = timestamp.signing_cert.subject.human_friendly
        report.timestamp_intact = timestamp.intact and timestamp.valid
        report.timestamp_valid = report.timestamp_intact and timestamp.trusted
        report.timestamp_trust_problem = _trust_problem(timestamp)
        if not (timestamp.intact and timestamp.valid):
            report.problems.append('timestamp_invalid')
        elif not timestamp.trusted:
            report.problems.append('timestamp_untrusted')


def _trust_problem(status):
    indication = status.trust_problem_indic
    if status.trusted or indication is None:
        return ''
    if indication == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        return 'unknown_ca'
    return indication.name.lower()


def _ltv_present(sig, roots, dss_kwargs, report, is_timestamp):
    """Whether the embedded data alone validates the chain (no fetching, hard
    revocation checks) at the time the signature was timestamped."""
    if not (report.intact and report.valid and report.trusted):
        return False
    moment = report.timestamp_time or report.signing_time
    context = _context(roots, dss_kwargs, revocation_mode='hard-fail', retroactive_revinfo=True, moment=moment)
    try:
        status = validate_pdf_timestamp(sig, context, skip_diff=True) if is_timestamp else \
            validate_pdf_signature(sig, context, skip_diff=True)
    except Exception:
        return False
    if not status.trusted:
        return False
    timestamp = getattr(status, 'timestamp_validity', None)
    return timestamp is None or timestamp.trusted


def _verdict(report):
    if not (report.intact and report.valid) or 'timestamp_invalid' in report.problems:
        return 'invalid'
    if any(p.startswith(('modified_after_signing', 'partial_coverage', 'docmdp_violation'))
           for p in report.problems):
        return 'modified'
    if not report.trusted or report.revoked or 'timestamp_untrusted' in report.problems:
        return 'untrusted'
    return 'valid'


def _made_elsewhere(report):
    """Intact and unrevoked, and not trusted only because the signer's authority
    (and the timestamp's, unless trusted) is unknown here: a signature or
    timestamp of another party, which this service cannot vouch for."""
    if not (report.intact and report.valid) or report.revoked or report.trust_problem != 'unknown_ca':
        return False
    return report.timestamp_valid is None or report.timestamp_valid or (
        report.timestamp_intact and report.timestamp_trust_problem == 'unknown_ca')


def _overall_verdict(reports):
    """The worst of the signatures' verdicts, except that signatures and
    timestamps made elsewhere leave the document valid ('valid_with_external')
    when the newest signature or timestamp, which covers all the others, is
    valid and trusted here (a signature added after ours is not vouched for)."""
    worst = min((r.verdict for r in reports), key=VERDICT_ORDER.index)
    if worst != 'untrusted':
        return worst
    untrusted = [r for r in reports if r.verdict == 'untrusted']
    if all(r.external for r in untrusted) and reports[-1].verdict == 'valid':
        return 'valid_with_external'
    return 'untrusted'
