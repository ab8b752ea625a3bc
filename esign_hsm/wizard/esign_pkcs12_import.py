import base64

from odoo import fields, models
from odoo.exceptions import UserError

MAX_PKCS12_SIZE = 1024 * 1024


class EsignPkcs12Import(models.TransientModel):
    """Import a software witness key and its certificate from a PKCS#12 file.

    Wizards are database rows too, so the file and its password are not stored
    fields: when the dialog is saved, the inverse below opens the file at once,
    seals the key under the key-encryption key, and keeps only the result.
    """
    _name = 'esign.pkcs12.import'
    _description = 'Import a witness certificate (PKCS#12)'

    company_id = fields.Many2one('res.company', string='Company', required=True, default=lambda self: self.env.company)
    name = fields.Char(string='Name', help='How the key is shown in the list of witness keys; by default the '
                                           'certificate subject')
    pkcs12_file = fields.Binary(string='PKCS#12 file (.p12, .pfx)', compute='_compute_secrets',
                                inverse='_inverse_secrets')
    pkcs12_filename = fields.Char(string='File name')
    password = fields.Char(string='Password', compute='_compute_secrets', inverse='_inverse_secrets')
    activate = fields.Boolean(string='Use it for witness signing now', default=True)
    witness_key_id = fields.Many2one('esign.witness.key', string='Witness key', readonly=True)

    def _compute_secrets(self):
        for wizard in self:
            wizard.pkcs12_file = False
            wizard.password = False

    def _inverse_secrets(self):
        for wizard in self:
            if not wizard.pkcs12_file:
                raise UserError(self.env._('Choose the PKCS#12 file of the witness certificate.'))
            data = base64.b64decode(wizard.pkcs12_file)
            if len(data) > MAX_PKCS12_SIZE:
                raise UserError(self.env._('This file is too large to be a PKCS#12 certificate file.'))
            password = (wizard.password or '').encode('utf-8')
            wizard.witness_key_id = self.env['esign.key.custody']._import_pkcs12(
                wizard.company_id, data, password, name=wizard.name, activate=False)

    def action_import(self):
        self.ensure_one()
        key = self.witness_key_id
        if self.activate:
            key._activate()
        return key._notify(self.env._('The witness certificate "%s" was imported.', key.name))
