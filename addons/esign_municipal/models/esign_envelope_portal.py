from odoo import models
from odoo.exceptions import UserError


class EsignEnvelope(models.Model):
    _inherit = 'esign.envelope'

    def _esign_audit_certificate_pdf(self):
        """The audit certificate (合意締結証明書) of a completed envelope as
        (file name, PDF bytes), or None when there is none.

        Hook for the archive (issue 7), which builds the certificate; the
        download page offers it next to the signed documents whenever this
        returns something.
        """
        self.ensure_one()
        return None

    def action_open_signing_page(self):
        """An internal approver signs through the same page as contractors
        (the back-office wizard stays available)."""
        self.ensure_one()
        signer = self._esign_my_signer()
        if not signer:
            raise UserError(self.env._('You have no signature to give on this envelope right now.'))
        return {'type': 'ir.actions.act_url', 'url': f'/esign/sign/{signer.id}', 'target': 'self'}
