import os
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.errors import CustodyError
from ..engine.pkcs11_token import KEY_TYPES, is_inside

KEY_TYPE_SELECTION = [('rsa_3072', 'RSA 3072 bits'), ('rsa_2048', 'RSA 2048 bits'), ('ec_p256', 'ECDSA P-256')]
assert {code for code, _label in KEY_TYPE_SELECTION} == set(KEY_TYPES)


class ResCompany(models.Model):
    """Where each company's witness key lives. The HSM PIN is deliberately not a field:
    only the name of the environment variable or file holding it is stored."""
    _inherit = 'res.company'

    esign_key_backend = fields.Selection(
        [('software', 'Software key (Odoo certificates)'), ('pkcs11', 'PKCS#11 HSM')],
        string='Witness key backend', default='software', required=True)
    # No default: the HSM vendor's module is named by the administrator (SoftHSM2 is for tests only).
    esign_pkcs11_module = fields.Char(string='PKCS#11 module')
    esign_pkcs11_token_label = fields.Char(string='HSM token label')
    esign_pkcs11_pin_source = fields.Selection(
        [('env', 'Environment variable'), ('file', 'File')], string='HSM PIN source', default='env', required=True)
    esign_pkcs11_pin_env = fields.Char(string='PIN environment variable', default='ESIGN_HSM_PIN')
    esign_pkcs11_pin_file = fields.Char(string='PIN file')
    esign_pkcs11_key_label = fields.Char(string='Label of the next witness key', default='esign-witness')
    esign_pkcs11_key_type = fields.Selection(KEY_TYPE_SELECTION, string='Witness key type', default='rsa_3072',
                                             required=True)
    esign_pkcs11_kek_label = fields.Char(string='HSM key-encryption key label')

    @api.constrains('esign_pkcs11_pin_env', 'esign_pkcs11_pin_file', 'esign_pkcs11_module')
    def _check_esign_pkcs11_paths(self):
        for company in self:
            if company.esign_pkcs11_pin_env and not re.fullmatch(r'[A-Z_][A-Z0-9_]*', company.esign_pkcs11_pin_env):
                raise ValidationError(self.env._(
                    'The PIN environment variable must be a name in capital letters, digits and underscores, '
                    'such as ESIGN_HSM_PIN.'))
            for path in (company.esign_pkcs11_pin_file, company.esign_pkcs11_module):
                if path and not os.path.isabs(path):
                    raise ValidationError(self.env._('"%s" must be an absolute path on the Odoo server.', path))
            custody = self.env['esign.key.custody']
            forbidden = custody._pkcs11_forbidden_dirs()
            if company.esign_pkcs11_module and is_inside(company.esign_pkcs11_module, forbidden):
                error = CustodyError('module_in_data_dir', 'module in the data directory',
                                     module=company.esign_pkcs11_module, dirs=', '.join(forbidden))
                raise ValidationError(custody._user_error(error).args[0])
