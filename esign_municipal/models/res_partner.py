from odoo import models
from odoo.tools import email_normalize

from .esign_envelope import OPEN_STATES


class ResPartner(models.Model):
    """A change of address of someone asked to sign is worth knowing.

    Requests keep going to the address they were sent to (esign.signer's
    invited_email), and only a user logging in with that address may sign
    without the link; still, the sender and the operation log learn that the
    contact's address changed while the envelope waits for signatures (the
    portal's account wizard rewrites the contact's email, for example).
    """
    _inherit = 'res.partner'

    def write(self, vals):
        if 'email' not in vals:
            return super().write(vals)
        before = {partner.id: partner.email for partner in self}
        result = super().write(vals)
        changed = self.filtered(lambda p: email_normalize(before[p.id] or '') != email_normalize(p.email or ''))
        if changed:
            changed._esign_log_email_change(before)
        return result

    def _esign_log_email_change(self, before):
        signers = self.env['esign.signer'].sudo().search(
            [('partner_id', 'in', self.ids), ('envelope_id.state', 'in', OPEN_STATES)])
        for signer in signers:
            old, new = before[signer.partner_id.id] or '', signer.partner_id.email or ''
            envelope = signer.envelope_id
            envelope.message_post(body=self.env._(
                'The email address of %(name)s changed from "%(old)s" to "%(new)s" (by %(user)s). This envelope '
                'still goes to %(invited)s, and only that address can sign.',
                name=signer.name, old=old, new=new, user=self.env.user.name,
                invited=signer.invited_email or signer.email or '-'))
            envelope._esign_log('partner_email_changed', signer=signer, before=old, after=new)
