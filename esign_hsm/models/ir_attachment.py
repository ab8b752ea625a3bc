from odoo import models

VAULT_MODEL = 'esign.vault.blob'


class IrAttachment(models.Model):
    _inherit = 'ir.attachment'

    def _compute_mimetype(self, values):
        # A vault blob's file is AES-GCM ciphertext: random bytes that Odoo's
        # content sniffing now and then takes for XML or an image (then
        # indexed, resized or previewed). It is never anything but opaque.
        if values.get('res_model') == VAULT_MODEL:
            return 'application/octet-stream'
        return super()._compute_mimetype(values)
