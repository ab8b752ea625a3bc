import datetime
import hashlib
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import ltv, timestamp_info
from ..tools import archive_guard
from . import pdf_errors
from ..engine.jst import jst_date, start_of_day_utc
from .esign_signature_verifier import VERIFICATION_HELP, VERIFICATION_STATES

_logger = logging.getLogger(__name__)


class EsignContractDocument(models.Model):
    """One PDF of an archived contract.

    The bytes of a contract signed here stay where the envelope keeps them
    (esign.document's current version); a registered contract's are
    encrypted in esign_hsm's vault. Either way they are read and replaced
    only through `_read_pdf` / `_esign_replace_pdf`, and replaced only by a
    renewal (延長タイムスタンプ) that appends to them: the new file starts
    with every byte of the old one.
    """
    _name = 'esign.contract.document'
    _description = 'Archived document'
    _inherit = ['esign.archive.lock.mixin', 'esign.flow.fields.mixin']
    # Set by the archiving, the renewal and the verification only.
    _esign_flow_fields = frozenset({
        'contract_id', 'document_id', 'blob_id', 'sha256', 'file_size', 'timestamp_at', 'timestamp_tsa',
        'timestamp_expires_at', 'renewal_count', 'verification_state', 'verified_at', 'verification_message'})
    _order = 'contract_id, sequence, id'

    contract_id = fields.Many2one('esign.contract', string='Contract', required=True, index=True,
                                  ondelete='cascade', readonly=True)
    company_id = fields.Many2one(related='contract_id.company_id', store=True, index=True)
    archived_at = fields.Datetime(related='contract_id.archived_at', store=True, index=True)
    name = fields.Char(string='Document', required=True, readonly=True)
    sequence = fields.Integer(default=10, readonly=True)
    document_id = fields.Many2one('esign.document', string='Envelope document', readonly=True,
                                  ondelete='restrict', index='btree_not_null')
    blob_id = fields.Many2one('esign.vault.blob', string='Encrypted file', readonly=True, ondelete='restrict',
                              index='btree_not_null')
    sha256 = fields.Char(string='SHA-256', readonly=True,
                         help='Fingerprint of the archived file; the export lists it so that any copy can be checked.')
    file_size = fields.Integer(string='Size (bytes)', readonly=True)
    timestamp_at = fields.Datetime(string='Newest timestamp', readonly=True)
    timestamp_tsa = fields.Char(string='Timestamp authority', readonly=True)
    timestamp_expires_at = fields.Datetime(
        string='Timestamp certificate valid until', readonly=True, index=True,
        help='When the certificate of the authority that made the newest timestamp expires: the archive adds '
             'a renewal timestamp (延長タイムスタンプ) before then.')
    renewal_count = fields.Integer(string='Renewals', readonly=True)
    verification_state = fields.Selection(
        VERIFICATION_STATES, string='Verification', default='unverified', required=True, readonly=True,
        help=VERIFICATION_HELP)
    verified_at = fields.Datetime(string='Last verified', readonly=True)
    verification_message = fields.Char(string='Verification result', readonly=True)

    def _esign_locked(self):
        return self

    @api.model
    def _esign_parents_locked(self, vals_list):
        return True

    # -- bytes -----------------------------------------------------------------------

    def _read_pdf(self):
        self.ensure_one()
        document = self.sudo()
        if document.blob_id:
            return document.blob_id._read()
        if document.document_id:
            return document.document_id._read_pdf('current')
        raise UserError(self.env._('The file of "%s" is missing.', self.name))

    @api.model
    def _esign_create_for(self, contract, items):
        """Archived documents of `contract` from [{'name', 'sequence', 'data', 'document_id'?}]:
        documents of an envelope keep pointing at it, others go to the vault."""
        vals_list = []
        for item in items:
            data = item['data']
            vals = {'contract_id': contract.id, 'name': item['name'], 'sequence': item.get('sequence', 10)}
            if item.get('document_id'):
                vals['document_id'] = item['document_id']
            else:
                vals['blob_id'] = self.env['esign.vault.blob'].sudo()._store(
                    data, item['name'], company=contract.company_id).id
            vals.update(self._esign_file_facts(data))
            vals_list.append(vals)
        with archive_guard.unlocked(archive_guard.ARCHIVING):
            return self.sudo().create(vals_list)

    @api.model
    def _esign_file_facts(self, data):
        facts = {'sha256': hashlib.sha256(data).hexdigest(), 'file_size': len(data)}
        try:
            newest = timestamp_info.newest_timestamp(data)
        except Exception:  # noqa: BLE001 - an unreadable file simply has no timestamp facts
            newest = None
        if newest:
            facts.update({
                'timestamp_at': newest.time.replace(tzinfo=None),
                'timestamp_tsa': newest.tsa_name,
                'timestamp_expires_at': newest.tsa_cert_not_after.replace(tzinfo=None),
            })
        return facts

    def _esign_replace_pdf(self, data, event):
        """Stores a new version that extends the current one (renewal)."""
        self.ensure_one()
        old = self._read_pdf()
        if not data.startswith(old) or len(data) <= len(old):
            raise UserError(self.env._('An archived document can only be extended, never rewritten.'))
        document = self.sudo()
        with archive_guard.unlocked(archive_guard.RENEWAL):
            if document.document_id:
                document.document_id._write_pdf('current', data)
                vals = {}
            else:
                vals = {'blob_id': self.env['esign.vault.blob'].sudo()._store(
                    data, document.name, company=document.company_id).id}
            vals.update(self._esign_file_facts(data))
            vals['renewal_count'] = document.renewal_count + 1
            document.write(vals)
        self.env['esign.operation.log']._esign_record(
            event, contract=document.contract_id, envelope=document.contract_id.envelope_id or None,
            document=document.document_id or None, file=document.name, sha256=vals['sha256'])

    # -- timestamps --------------------------------------------------------------------

    @api.model
    def _esign_timestamper(self, company):
        return self.env['esign.tsa']._get_timestamper(company, res_model=self._name,
                                                      description=self.env._('Archive timestamp'))

    @api.model
    def _esign_validation_context(self, company):
        # The envelope knows where the trust anchors and revocation data of
        # the company's witness certificate and TSA come from.
        return self.env['esign.envelope'].sudo().new({'company_id': company.id})._esign_validation_context()

    @api.model
    def _esign_timestamp_new(self, contract, name, data):
        """`data` with a first document timestamp (a registered contract)."""
        pdf_errors.check_readable(self.env, data, name)
        try:
            return ltv.timestamp_document(data, timestamper=self._esign_timestamper(contract.company_id),
                                          validation_context=self._esign_validation_context(contract.company_id))
        except Exception as exc:
            raise pdf_errors.archive_timestamp_error(self.env, exc, name) from exc

    def _esign_renew_timestamp(self):
        """延長タイムスタンプ: a new document timestamp with fresh validation data
        (a PDF archived without any document timestamp gets its first one)."""
        with self.env['esign.key.custody']._kek_scope(self.contract_id.company_id):
            for document in self:
                company = document.contract_id.company_id
                data = document._read_pdf()
                has_document_timestamp = any(stamp.kind == 'document_timestamp'
                                             for stamp in timestamp_info.timestamps_of(data))
                stamp = ltv.renew if has_document_timestamp else ltv.timestamp_document
                try:
                    renewed = stamp(data, timestamper=document._esign_timestamper(company),
                                    validation_context=document._esign_validation_context(company))
                except Exception as exc:
                    raise pdf_errors.archive_timestamp_error(self.env, exc, document.name) from exc
                document._esign_replace_pdf(renewed, 'renew')

    @api.model
    def _cron_renew_timestamps(self):
        """Renews the documents whose newest timestamp's authority certificate
        expires within the configured number of months; one failure does not
        stop the others (they are retried on the next run)."""
        months = int(self.env['ir.config_parameter'].sudo().get_param('esign_municipal.renewal_months', 12))
        limit = fields.Datetime.add(fields.Datetime.now(), months=max(months, 0))
        documents = self.sudo().search([('timestamp_expires_at', '!=', False), ('timestamp_expires_at', '<=', limit)])
        renewed = failed = 0
        with self.env['esign.key.custody']._kek_scope(documents.contract_id.company_id):
            for document in documents:
                try:
                    with self.env.cr.savepoint():
                        document._esign_renew_timestamp()
                    renewed += 1
                except Exception as exc:  # noqa: BLE001 - reported, retried at the next run
                    failed += 1
                    _logger.warning('archive: renewal of %s (contract %s) failed: %s', document.name,
                                    document.contract_id.number, exc)
        return renewed, failed

    # -- batch timestamp verification ---------------------------------------------------

    @api.model
    def _esign_archived_between(self, date_from, date_to):
        """Documents archived from the start of date_from to the end of date_to (Japan days)."""
        start = start_of_day_utc(date_from)
        end = start_of_day_utc(date_to + datetime.timedelta(days=1))
        return self.search([('archived_at', '>=', start), ('archived_at', '<', end)], order='archived_at, id')

    def _esign_timestamp_problems(self, report):
        """(number of timestamps, [problem]) of one validation report."""
        _ = self.env._
        if report.verdict == 'unreadable':
            return 0, [_('The file cannot be read as a PDF.')]
        count, problems = 0, []
        newest = ([sig for sig in report.signatures if sig.kind == 'document_timestamp'] or [None])[-1]
        for sig in report.signatures:
            # A signature or timestamp made elsewhere (署名互換), by an authority
            # unknown here, must be intact; its trust is not ours to vouch
            # for. The newest document timestamp, the archive's own, must be trusted.
            elsewhere = sig.external and sig is not newest
            if sig.kind == 'document_timestamp':
                count += 1
                if not (sig.intact and sig.valid and (sig.trusted or elsewhere)):
                    problems.append(_('The document timestamp %s does not verify.', sig.field_name))
            elif sig.timestamp_valid is not None:
                count += 1
                if not (sig.timestamp_valid or (elsewhere and sig.timestamp_intact)):
                    problems.append(_('The timestamp of the signature %s does not verify.', sig.field_name))
            if not (sig.intact and sig.valid):
                problems.append(_('The signed bytes of %s were changed.', sig.field_name))
            elif sig.verdict == 'modified':
                problems.append(_('The document was changed after %s.', sig.field_name))
        if not count:
            problems.append(_('The document has no timestamp.'))
        return count, problems

    def _esign_verify_timestamps(self):
        """Checks every timestamp of these documents again; records the
        result on each document and in the operation log. A document whose
        timestamps verify and that carries signatures made elsewhere is
        'valid_with_external' (counted in 'external'), with a note."""
        verifier = self.env['esign.signature.verifier']
        failures, timestamps, external = [], 0, 0
        now = fields.Datetime.now()
        with self.env['esign.key.custody']._kek_scope(self.contract_id.company_id):
            for document in self:
                signed_elsewhere = False
                try:
                    report = verifier._esign_validate(document._read_pdf())
                    count, problems = document._esign_timestamp_problems(report)
                    signed_elsewhere = any(sig.external for sig in report.signatures)
                except Exception as exc:  # noqa: BLE001 - the file cannot be read back (altered, key missing)
                    _logger.warning('archive: %s of contract %s cannot be read: %s', document.name,
                                    document.contract_id.number, exc)
                    count, problems = 0, [self.env._('The archived file cannot be read back (%s).',
                                                     exc.args[0] if exc.args else type(exc).__name__)]
                timestamps += count
                if problems:
                    failures.append((document, ' '.join(problems)))
                    state, message = 'invalid', ' '.join(problems)[:250]
                elif signed_elsewhere:
                    external += 1
                    state, message = 'valid_with_external', verifier._esign_external_note()
                else:
                    state, message = 'valid', False
                with archive_guard.unlocked(archive_guard.VERIFICATION):
                    document.sudo().write({'verification_state': state, 'verified_at': now,
                                           'verification_message': message})
        self.env['esign.operation.log']._esign_record(
            'verify_timestamps', documents=len(self), timestamps=timestamps, failed=len(failures),
            external=external,
            failed_documents=[f'{document.contract_id.number}: {document.name}' for document, _p in failures])
        return {'documents': len(self), 'timestamps': timestamps, 'failures': failures, 'external': external}

    @api.model
    def _cron_verify_timestamps(self):
        """Daily: the documents archived the day before (Japan time)."""
        yesterday = jst_date(None) - datetime.timedelta(days=1)
        result = self.sudo()._esign_archived_between(yesterday, yesterday)._esign_verify_timestamps()
        if result['failures']:
            _logger.warning('archive: %d of %d documents archived on %s failed timestamp verification',
                            len(result['failures']), result['documents'], yesterday)
        return result

    # -- actions -------------------------------------------------------------------------

    def action_view_pdf(self):
        """Shows the PDF in the PDF.js viewer that ships with Odoo (display and print)."""
        self.ensure_one()
        self.check_access('read')
        return {'type': 'ir.actions.act_url', 'target': 'new',
                'url': f'/web/static/lib/pdfjs/web/viewer.html?file=/esign/archive/document/{self.id}/view'}

    def action_download_pdf(self):
        self.ensure_one()
        self.check_access('read')
        return {'type': 'ir.actions.act_url', 'target': 'download',
                'url': f'/esign/archive/document/{self.id}/download'}
