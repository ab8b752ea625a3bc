from odoo import models
from odoo.exceptions import UserError


class EsignEnvelope(models.Model):
    """The portal's additions to the envelope. The audit certificate itself,
    _esign_audit_certificate_pdf(), is the archive's (esign_envelope_archive)."""
    _inherit = 'esign.envelope'

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
