import base64

from odoo import fields, models
from odoo.exceptions import UserError

from ..engine import signers


class EsignCertificateImport(models.TransientModel):
    """Import the certificate a CA issued for a key generated in the HSM, with its chain."""
    _name = 'esign.certificate.import'
    _description = 'Import the certificate of an HSM witness key'

    witness_key_id = fields.Many2one('esign.witness.key', string='Witness key', required=True,
                                     domain=[('state', '=', 'pending')])
    certificate_file = fields.Binary(string='Certificate (PEM or DER)', attachment=False, required=True)
    certificate_filename = fields.Char(string='Certificate file name')
    chain_file = fields.Binary(string='CA certificates (PEM)', attachment=False,
                               help='The issuing CA and root certificates, unless the certificate file holds them')
    chain_filename = fields.Char(string='Chain file name')
    activate = fields.Boolean(string='Use it for witness signing now', default=True)

    def action_import(self):
        self.ensure_one()
        custody = self.env['esign.key.custody']
        certs = custody._parse_certificates(base64.b64decode(self.certificate_file))
        if self.chain_file:
            certs += custody._parse_certificates(base64.b64decode(self.chain_file))
        key = self.witness_key_id
        key_der = base64.b64decode(key.public_key or b'')
        leaf = next((cert for cert in certs if signers.public_key_der(cert) == key_der), None)
        if leaf is None:
            raise UserError(self.env._(
                'This certificate was not issued for the witness key "%s": its public key is different.', key.name))
        key._attach_certificate(leaf, [cert for cert in certs if cert is not leaf])
        if self.activate:
            key._activate()
        return key._notify(self.env._('The certificate of the witness key "%s" was imported.', key.name))
