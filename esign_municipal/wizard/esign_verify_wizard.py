import base64
import hashlib

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import archive_guard
from ..models.pdf_errors import VERIFY_MAX_PDF_SIZE


class EsignVerifyWizard(models.TransientModel):
    """署名検証: upload any signed PDF (or open an archived contract) and read
    a report like Acrobat's signature panel."""
    _name = 'esign.verify.wizard'
    _inherit = ['esign.flow.fields.mixin']
    _description = 'Signature verification'
    # The report is HTML shown as is: only the verification writes it (as
    # superuser), never the client, nor by a context default.
    _esign_flow_fields = frozenset({'report_html', 'verdict'})

    pdf_file = fields.Binary(string='Signed PDF', attachment=False)
    filename = fields.Char(string='File name')
    contract_id = fields.Many2one('esign.contract', string='Archived contract', readonly=True)
    verdict = fields.Char(string='Result', readonly=True)
    report_html = fields.Html(string='Report', readonly=True, sanitize=False)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._esign_check_flow_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._esign_check_flow_fields(vals)
        return super().write(vals)

    def _esign_flow_fields_refusal(self):
        return self.env._('The verification report is written by the verification itself and '
                          'cannot be set by hand.')

    def action_verify(self):
        self.ensure_one()
        if not self.pdf_file:
            raise UserError(self.env._('Choose the signed PDF to verify.'))
        data = base64.b64decode(self.pdf_file)
        if len(data) > VERIFY_MAX_PDF_SIZE:
            raise UserError(self.env._('The file is larger than %s MB.', VERIFY_MAX_PDF_SIZE // (1024 * 1024)))
        name = self.filename or self.env._('Uploaded PDF')
        html, reports = self.env['esign.signature.verifier']._esign_verify_files([(name, data)])
        # The report is all that is kept: the uploaded file is not stored.
        self.sudo().write({'report_html': html, 'verdict': reports[0].verdict, 'pdf_file': False})
        self.env['esign.operation.log']._esign_record(
            'verify_signatures', file=name, verdict=reports[0].verdict, sha256=hashlib.sha256(data).hexdigest())
        return self._esign_reopen()

    def _esign_verify_contract(self):
        """The report over every document of the archived contract; the
        contract's verification state follows it."""
        self.ensure_one()
        contract = self.contract_id
        contract.check_access('read')
        documents = contract.sudo().document_ids
        with self.env['esign.key.custody']._kek_scope(contract.company_id):
            files = [(document.name, document._read_pdf()) for document in documents]
        verifier = self.env['esign.signature.verifier']
        html, reports = verifier._esign_verify_files(files)
        verdicts = [report.verdict for report in reports]
        self.sudo().write({'report_html': html, 'verdict': ','.join(verdicts)})
        now = fields.Datetime.now()
        with archive_guard.unlocked(archive_guard.VERIFICATION):
            for document, report in zip(documents, reports):
                # Read beside the state in the archive: the note on signatures made elsewhere, or what is wrong.
                if report.verdict == 'valid':
                    note = False
                elif report.verdict == 'valid_with_external':
                    note = verifier._esign_external_note()
                else:
                    note = verifier._esign_verdict_text(report)
                document.write({'verification_state': verifier._esign_verification_state([report.verdict]),
                                'verified_at': now, 'verification_message': note})
            contract.sudo().write({'verification_state': verifier._esign_verification_state(verdicts),
                                   'verified_at': now})
        self.env['esign.operation.log']._esign_record(
            'verify_signatures', contract=contract, envelope=contract.envelope_id or None, verdicts=verdicts)

    def _esign_reopen(self):
        return {'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': self.id, 'view_mode': 'form',
                'target': 'new', 'name': self.env._('Signature verification')}
