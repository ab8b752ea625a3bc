"""After completion: the envelope is logged, archived, locked, and gets its
audit certificate (合意締結証明書).

Kept apart from esign_envelope.py and esign_envelope_workflow.py, which own
the envelope's fields and flow; this file only hooks into them.
"""
import hashlib
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import ltv
from ..tools import archive_guard
from ..tools.jst import format_jst
from .esign_envelope import _FLOW_FIELDS

_logger = logging.getLogger(__name__)

AUDIT_REPORT = 'esign_municipal.action_report_audit_certificate'


class EsignEnvelope(models.Model):
    _name = 'esign.envelope'
    _inherit = ['esign.envelope', 'esign.archive.lock.mixin']
    # The certificate is the flow's, like the envelope's status (see esign.flow.fields.mixin).
    _esign_flow_fields = _FLOW_FIELDS | {'audit_certificate_blob_id', 'contract_ids'}

    contract_ids = fields.One2many('esign.contract', 'envelope_id', string='Archived contract', readonly=True)
    # 合意締結証明書, kept encrypted like the documents (it names people, addresses and IPs).
    audit_certificate_blob_id = fields.Many2one('esign.vault.blob', string='Audit certificate file', readonly=True,
                                                copy=False, ondelete='restrict', groups='base.group_system')
    has_audit_certificate = fields.Boolean(compute='_compute_has_audit_certificate', string='Audit certificate ready')
    log_count = fields.Integer(compute='_compute_log_count', string='Log entries')

    @api.depends('audit_certificate_blob_id')
    def _compute_has_audit_certificate(self):
        for envelope in self:
            envelope.has_audit_certificate = bool(envelope.sudo().audit_certificate_blob_id)

    def _esign_audit_certificate_pdf(self):
        """The bytes of the audit certificate attached on completion, or None
        while it is not made yet. The caller checks who may read it."""
        self.ensure_one()
        blob = self.sudo().audit_certificate_blob_id
        return blob._read() if blob else None

    def _compute_log_count(self):
        counts = dict(self.env['esign.operation.log'].sudo()._read_group(
            [('envelope_ref', 'in', self.ids)], ['envelope_ref'], ['__count']))
        for envelope in self:
            envelope.log_count = counts.get(envelope.id, 0)

    # -- locked once completed -----------------------------------------------------

    def _esign_locked(self):
        return self.filtered(lambda envelope: envelope.state == 'completed')

    # -- the one logging hook (issue 5 calls it at every event) ------------------------

    def _esign_log(self, event, signer=None, document=None, request_info=None, **details):
        super()._esign_log(event, signer=signer, document=document, request_info=request_info, **details)
        Log = self.env['esign.operation.log']
        for envelope in self:
            Log._esign_record(event, envelope=envelope, signer=signer, document=document,
                              request_info=request_info, **details)
        return True

    # -- completion ------------------------------------------------------------------------

    def _esign_finalize(self):
        with self.env['esign.key.custody']._kek_scope(self.company_id):
            done = super()._esign_finalize()
            if done and self.state == 'completed':
                self._esign_archive()
        return done

    def _esign_archive(self):
        """Archive record and audit certificate of a completed envelope. The
        certificate needs the timestamp authority: when it cannot be made now,
        the cron makes it later (the contract is archived either way)."""
        self.ensure_one()
        self.env['esign.contract']._esign_archive_envelope(self)
        if self.sudo().audit_certificate_blob_id:
            return True
        try:
            with self.env.cr.savepoint():
                self._esign_attach_audit_certificate()
        except Exception as exc:  # noqa: BLE001 - retried by _cron_archive_pending
            _logger.warning('Envelope %s: audit certificate postponed (%s)', self.number, exc)
            return False
        return True

    def _esign_attach_audit_certificate(self):
        """Renders the certificate, adds a document timestamp so that it is
        tamper-evident too, and attaches it to the envelope."""
        self.ensure_one()
        envelope = self.sudo()
        pdf = envelope._esign_render_audit_certificate()
        stamped = ltv.timestamp_document(pdf, timestamper=envelope._esign_timestamper(),
                                         validation_context=envelope._esign_validation_context())
        blob = self.env['esign.vault.blob'].sudo()._store(
            stamped, self.env._('Audit certificate %s.pdf', envelope.number), company=envelope.company_id)
        with archive_guard.unlocked(archive_guard.ARCHIVING):
            envelope.write({'audit_certificate_blob_id': blob.id})
        envelope.message_post(body=self.env._('The audit certificate is attached.'))
        return blob

    def _esign_render_audit_certificate(self):
        # Rendered with wkhtmltopdf even in test mode: what is attached must be a real PDF.
        report = self.env['ir.actions.report'].with_context(force_report_rendering=True)
        if not self.env.registry.ready:
            # The database is being built (demo data): Odoo's web server waits for
            # this very registry, so wkhtmltopdf would wait forever for the
            # report's stylesheets (or fetch them from whatever else listens at
            # web.base.url). The certificate's layout does not depend on them.
            report = report.with_context(esign_report_offline=True)
        pdf, _kind = report._render_qweb_pdf(AUDIT_REPORT, self.ids)
        return pdf

    @api.model
    def _cron_archive_pending(self):
        """Completed envelopes not archived yet, or still without their audit certificate."""
        envelopes = self.sudo().search([('state', '=', 'completed'), '|', ('contract_ids', '=', False),
                                        ('audit_certificate_blob_id', '=', False)])
        for envelope in envelopes:
            envelope._esign_archive()

    # -- what the audit certificate shows ---------------------------------------------------

    def _esign_audit_events(self):
        """Every logged event of the envelope, oldest first, for the certificate."""
        self.ensure_one()
        auth_labels = dict(self.env['esign.signer']._fields['auth_method']._description_selection(self.env))
        entries = self.env['esign.operation.log'].sudo().search([('envelope_ref', '=', self.id)], order='id')
        return [{
            'id': entry.id,
            'time': format_jst(entry.logged_at),
            'event': entry.event_label,
            'who': entry.partner_name or entry.user_name or self.env._('System'),
            'document': entry.document_name or '',
            'ip': entry.ip_address or '',
            'user_agent': entry.user_agent or '',
            'auth': auth_labels.get(entry.auth_method, entry.auth_method or ''),
        } for entry in entries]

    def _esign_audit_documents(self):
        self.ensure_one()
        return [{'name': document.name, 'pages': document.page_count,
                 'sha256': hashlib.sha256(document._read_pdf('current')).hexdigest()}
                for document in self.sudo().document_ids]

    def _esign_audit_signers(self):
        self.ensure_one()
        auth_labels = dict(self.env['esign.signer']._fields['auth_method']._description_selection(self.env))
        return [{'name': signer.name, 'email': signer.email or '',
                 'role': dict(signer._fields['role']._description_selection(self.env)).get(signer.role, ''),
                 'signed_at': format_jst(signer.signed_at), 'ip': signer.signed_ip or '',
                 'user_agent': signer.signed_user_agent or '', 'auth': auth_labels.get(signer.auth_method, '')}
                for signer in self.sudo().signer_ids]

    def _esign_format_jst(self, value):
        return format_jst(value)

    # -- actions -------------------------------------------------------------------------------

    def action_download_audit_certificate(self):
        self.ensure_one()
        self.check_access('read')
        if not self.has_audit_certificate:
            raise UserError(self.env._('The audit certificate of %s is not ready yet: it is made when the envelope '
                                       'is completed.', self.display_name))
        return {'type': 'ir.actions.act_url', 'target': 'download',
                'url': f'/esign/audit-certificate/{self.id}'}

    def action_view_log(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Operation log: %s', self.display_name),
            'res_model': 'esign.operation.log',
            'view_mode': 'list,form',
            'domain': [('envelope_ref', '=', self.id)],
        }

    def action_view_contract(self):
        self.ensure_one()
        return {'type': 'ir.actions.act_window', 'res_model': 'esign.contract',
                'res_id': self.contract_ids[:1].id, 'view_mode': 'form'}
