from odoo import models
from odoo.exceptions import AccessError

# A base address that wkhtmltopdf gives up on at once (it may not read local
# files): the report is rendered without Odoo's stylesheets.
OFFLINE_REPORT_URL = 'file:///esign-offline/'
# 合意締結証明書: made once, when the envelope is completed (as superuser),
# timestamped and kept in the vault; users download that one.
AUDIT_CERTIFICATE_TEMPLATE = 'esign_municipal.report_audit_certificate'


class IrActionsReport(models.Model):
    _inherit = 'ir.actions.report'

    def _get_report_url(self, layout=None):
        # With context esign_report_offline (see esign.envelope._esign_render_audit_certificate).
        if self.env.context.get('esign_report_offline'):
            return OFFLINE_REPORT_URL
        return super()._get_report_url(layout=layout)

    def _get_rendering_context(self, report, docids, data):
        # Every rendering route (/report/pdf, /report/html, /report/download)
        # passes here. A certificate rendered afresh would have no timestamp
        # and could be made for an envelope that is not completed.
        if report.report_name == AUDIT_CERTIFICATE_TEMPLATE and not self.env.su:
            raise AccessError(self.env._(
                'The audit certificate is made once, when the envelope is completed, and kept with its timestamp. '
                'Download it with the "Audit certificate" button of the envelope or of the archived contract.'))
        return super()._get_rendering_context(report, docids, data)
