"""Signature verification (署名検証): any PDF into a report like Acrobat's
signature panel, in the reader's language, built on engine/validation.py.

Trusted are the roots of the witness certificates of the companies (every
key, retired ones included, so old contracts stay verifiable) and the roots
configured on the timestamp authorities. Only the validation data embedded in
the PDF is used (no fetching): the report says whether the file proves
itself, today and in ten years.

A contract that also carries signatures or timestamps made elsewhere (署名互換:
another party's own certification authority, unknown here) is valid when they
are intact and ours are trusted: its report, and the archive's verification
state, say 'valid' with a note that this service does not vouch for those
other signatures ('valid_with_external'), never 'problems found'.
"""
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from odoo import api, models

from odoo.addons.esign_hsm.engine.signers import to_asn1_cert

from ..engine.validation import VALID_VERDICTS, validate_pdf
from ..engine.jst import format_jst

VERDICT_CLASSES = {'valid': 'success', 'valid_with_external': 'success', 'untrusted': 'warning',
                   'modified': 'danger', 'invalid': 'danger', 'no_signatures': 'secondary', 'unreadable': 'danger'}
ALLOWED_LEVELS = ('none', 'lta_updates', 'form_filling')
# esign.contract's and esign.contract.document's verification_state (see _esign_verification_state)
VERIFICATION_STATES = [('unverified', 'Not verified yet'), ('valid', 'Valid'),
                       ('valid_with_external', 'Valid (with signatures made elsewhere)'),
                       ('invalid', 'Problems found')]
VERIFICATION_HELP = ("Valid (with signatures made elsewhere): the document is intact and this service's signatures "
                     "and timestamps are trusted; it also carries signatures or timestamps of another party or "
                     "service, intact, from a certification authority this service does not vouch for.")


class EsignSignatureVerifier(models.AbstractModel):
    _name = 'esign.signature.verifier'
    _description = 'Signature verification'

    @api.model
    def _esign_trust_roots(self):
        roots = {}
        keys = self.env['esign.witness.key'].sudo().search([])
        for record in keys.chain_certificate_ids | keys.certificate_id:
            cert = self.env['esign.key.custody']._load_certificate(record)
            if cert.issuer == cert.subject:
                roots[cert.fingerprint(hashes.SHA256())] = cert
        for tsa in self.env['esign.tsa'].sudo().with_context(active_test=False).search([]):
            for pem in (tsa.trust_roots_pem, tsa.demo_chain_pem):
                for cert in _pem_certs(pem):
                    if cert.issuer == cert.subject:
                        roots[cert.fingerprint(hashes.SHA256())] = cert
        return list(roots.values())

    @api.model
    def _esign_validate(self, data):
        return validate_pdf(data, trust_roots=[to_asn1_cert(cert) for cert in self._esign_trust_roots()])

    # -- the archive's verification state ----------------------------------------------

    @api.model
    def _esign_verification_state(self, verdicts):
        """esign.contract(.document)'s verification_state for the verdicts of its
        files: valid (with signatures made elsewhere, if any has them), else invalid."""
        if not verdicts or any(verdict not in VALID_VERDICTS for verdict in verdicts):
            return 'invalid'
        return 'valid_with_external' if 'valid_with_external' in verdicts else 'valid'

    @api.model
    def _esign_external_note(self):
        return self.env._('Includes signatures or timestamps made elsewhere: intact, but from a certification '
                          'authority this service does not vouch for.')

    # -- presenting a report -------------------------------------------------------------

    @api.model
    def _esign_verdict_text(self, report):
        """The report's verdict in the reader's language."""
        _ = self.env._
        verdicts = {
            'valid': _('Valid: every signature is intact and trusted, and the document has not been changed '
                       'since.'),
            'valid_with_external': _("Valid: the document has not been changed, and this service's signatures "
                                     "and timestamps are intact and trusted."),
            'untrusted': _('Intact, but a certificate is not trusted here (it was issued by a certification '
                           'authority this system does not know).'),
            'untrusted_revoked': _('Intact, but a certificate is not trusted: it was revoked or had expired, or '
                                   'its chain of certificates does not verify.'),
            'modified': _('Changed after signing: the document was modified in a way its signatures do not allow.'),
            'invalid': _('Invalid: the signed bytes were changed, or a signature or timestamp does not verify.'),
            'no_signatures': _('This PDF has no signature and no timestamp.'),
            'unreadable': _('This file cannot be read as a PDF.'),
        }
        return verdicts.get(self._esign_verdict_key(report), report.verdict)

    @api.model
    def _esign_report_values(self, name, data, report):
        """What the QWeb template shows for one file, with every value in the reader's language."""
        return {
            'name': name,
            'sha256': hashlib.sha256(data).hexdigest(),
            'size': len(data),
            'verdict': report.verdict,
            'verdict_text': self._esign_verdict_text(report),
            'verdict_class': VERDICT_CLASSES.get(report.verdict, 'secondary'),
            'verdict_note': self._esign_external_note() if report.verdict == 'valid_with_external' else '',
            'ltv': self._esign_yes_no(report.ltv),
            'document_timestamped': self._esign_yes_no(report.document_timestamped),
            'signatures': [self._esign_signature_values(sig) for sig in report.signatures],
        }

    @api.model
    def _esign_verdict_key(self, report):
        """The verdict whose text describes the report: 'untrusted' splits into a certificate
        of an authority not trusted here (signed elsewhere) and one that fails in itself."""
        if report.verdict == 'untrusted' and any(
                sig.verdict == 'untrusted' and sig.trust_problem not in ('', 'unknown_ca')
                for sig in report.signatures):
            return 'untrusted_revoked'
        return report.verdict

    @api.model
    def _esign_signature_values(self, sig):
        _ = self.env._
        kinds = {'signature': _('Signature'), 'document_timestamp': _('Document timestamp')}
        verdicts = {'valid': _('Valid'), 'untrusted': _('Not trusted'), 'modified': _('Changed after signing'),
                    'invalid': _('Invalid')}
        # A signature made elsewhere, with a certificate of an authority this
        # service does not trust, is still a valid signature: say both.
        verdict_text = verdicts.get(sig.verdict, sig.verdict)
        verdict_class = VERDICT_CLASSES.get(sig.verdict, 'secondary')
        if sig.verdict == 'untrusted' and sig.external:
            verdict_text = (_('Valid timestamp, timestamp authority not trusted by this service')
                            if sig.kind == 'document_timestamp'
                            else _("Valid signature, signer's certificate not trusted by this service"))
            verdict_class = 'info'
        return {
            'field_name': sig.field_name,
            'kind': kinds.get(sig.kind, sig.kind),
            'is_timestamp': sig.kind == 'document_timestamp',
            'signer': sig.signer,
            'reason': sig.reason,
            'location': sig.location,
            'signing_time': format_jst(sig.signing_time),
            'timestamp_time': format_jst(sig.timestamp_time),
            'timestamp_tsa': sig.timestamp_tsa,
            'timestamp_valid': self._esign_timestamp_text(sig),
            'intact': self._esign_yes_no(sig.intact and sig.valid),
            'unchanged': self._esign_changes_text(sig),
            'unchanged_ok': sig.modification_level in ALLOWED_LEVELS and sig.coverage != 'partial'
                            and not any(p.startswith(('modified_after_signing', 'partial_coverage'))
                                        for p in sig.problems),
            'trusted': self._esign_trust_text(sig),
            'ltv': self._esign_yes_no(sig.ltv),
            'verdict': sig.verdict,
            'verdict_text': verdict_text,
            'verdict_class': verdict_class,
            'problems': [self._esign_problem_text(problem) for problem in sig.problems],
        }

    @api.model
    def _esign_yes_no(self, value):
        return self.env._('Yes') if value else self.env._('No')

    @api.model
    def _esign_trust_text(self, sig):
        _ = self.env._
        if sig.trusted and not sig.revoked:
            return _('Yes')
        if sig.trust_problem == 'unknown_ca':
            return _('No: the certificate was issued by a certification authority this service does not trust.')
        if sig.revoked or sig.trust_problem.startswith('revoked'):
            return _('No: the certificate was revoked.')
        if sig.trust_problem.startswith('out_of_bounds'):
            return _('No: the certificate had expired.')
        return _('No')

    @api.model
    def _esign_timestamp_text(self, sig):
        _ = self.env._
        if sig.timestamp_valid is None:
            return ''
        if sig.timestamp_valid:
            return _('Yes')
        if sig.timestamp_intact:
            return _('Intact, but the timestamp authority is not trusted by this service.')
        return _('No')

    @api.model
    def _esign_changes_text(self, sig):
        _ = self.env._
        texts = {
            'none': _('No change since this signature.'),
            'lta_updates': _('Only validation data and timestamps were added since.'),
            'form_filling': _('Only later signatures and the filling of their fields since.'),
            'annotations': _('Comments or drawings were added after this signature.'),
            'other': _('The content was changed after this signature.'),
        }
        if not sig.modification_level:
            return _('Could not be determined.')
        return texts.get(sig.modification_level, sig.modification_level)

    @api.model
    def _esign_problem_text(self, problem):
        _ = self.env._
        code, _sep, detail = problem.partition(':')
        texts = {
            'modified_after_signing': _('The document was changed after this signature in a way it does not allow.'),
            'partial_coverage': _('The signature does not cover the whole revision it belongs to.'),
            'docmdp_violation': _('A change forbidden by the certification of the document was made.'),
            'timestamp_invalid': _('The timestamp does not match the signature or does not verify.'),
            'timestamp_untrusted': _('The timestamp authority is not trusted here.'),
            'unreadable_signature': _('The signature cannot be read.'),
        }
        return texts.get(code, problem)

    @api.model
    def _esign_render(self, file_values):
        """HTML of the report over [values of _esign_report_values]."""
        return self.env['ir.qweb']._render('esign_municipal.verification_report', {'files': file_values})

    @api.model
    def _esign_verify_files(self, files):
        """[(name, bytes)] -> (HTML report, [ValidationReport])."""
        reports = [(name, data, self._esign_validate(data)) for name, data in files]
        html = self._esign_render([self._esign_report_values(name, data, report) for name, data, report in reports])
        return html, [report for _name, _data, report in reports]


def _pem_certs(pem):
    if not pem or not pem.strip():
        return []
    try:
        return x509.load_pem_x509_certificates(pem.encode())
    except ValueError:
        return []

