from odoo import models

# A base address that wkhtmltopdf gives up on at once (it may not read local
# files): the report is rendered without Odoo's stylesheets.
OFFLINE_REPORT_URL = 'file:///esign-offline/'


class IrActionsReport(models.Model):
    _inherit = 'ir.actions.report'

    def _get_report_url(self, layout=None):
        # With context esign_report_offline (see esign.envelope._esign_render_audit_certificate).
        if self.env.context.get('esign_report_offline'):
            return OFFLINE_REPORT_URL
        return super()._get_report_url(layout=layout)
