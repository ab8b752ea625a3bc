from odoo import models
from odoo.exceptions import UserError


class EsignEnvelope(models.Model):
    _inherit = 'esign.envelope'

    def _esign_audit_certificate_pdf(self):
        """The PDF bytes of the audit certificate (合意締結証明書) of a completed
        envelope, or None while there is none. The archive (issue 7) makes it
        and overrides this; the download page offers it whenever it exists.
        The caller checks who may read it."""
        self.ensure_one()
        return None

    def _esign_audit_certificate_filename(self):
        self.ensure_one()
        return self.env._('Audit certificate %s.pdf', self.number)

    def action_open_signing_page(self):
        """An internal approver signs through the same page as contractors
        (the back-office wizard stays available)."""
        self.ensure_one()
        signer = self._esign_my_signer()
        if not signer:
            raise UserError(self.env._('You have no signature to give on this envelope right now.'))
        return {'type': 'ir.actions.act_url', 'url': f'/esign/sign/{signer.id}', 'target': 'self'}
