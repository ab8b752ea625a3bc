from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    esign_key_backend = fields.Selection(related='company_id.esign_key_backend', readonly=False)
    esign_pkcs11_module = fields.Char(related='company_id.esign_pkcs11_module', readonly=False)
    esign_pkcs11_token_label = fields.Char(related='company_id.esign_pkcs11_token_label', readonly=False)
    esign_pkcs11_pin_source = fields.Selection(related='company_id.esign_pkcs11_pin_source', readonly=False)
    esign_pkcs11_pin_env = fields.Char(related='company_id.esign_pkcs11_pin_env', readonly=False)
    esign_pkcs11_pin_file = fields.Char(related='company_id.esign_pkcs11_pin_file', readonly=False)
    esign_pkcs11_key_label = fields.Char(related='company_id.esign_pkcs11_key_label', readonly=False)
    esign_pkcs11_key_type = fields.Selection(related='company_id.esign_pkcs11_key_type', readonly=False)
    esign_pkcs11_kek_label = fields.Char(related='company_id.esign_pkcs11_kek_label', readonly=False)
    esign_active_witness_key_id = fields.Many2one('esign.witness.key', string='Witness key in use',
                                                  compute='_compute_esign_custody_status')
    esign_pending_witness_key_id = fields.Many2one('esign.witness.key', string='HSM key waiting for its certificate',
                                                   compute='_compute_esign_custody_status')
    esign_kek_status = fields.Char(string='Key-encryption key', compute='_compute_esign_custody_status')
    esign_has_demo_pki = fields.Boolean(string='Demo PKI installed', compute='_compute_esign_custody_status')

    @api.depends('company_id', 'esign_key_backend', 'esign_pkcs11_kek_label')
    def _compute_esign_custody_status(self):
        Key = self.env['esign.witness.key'].sudo()
        for settings in self:
            company = settings.company_id
            settings.esign_active_witness_key_id = Key.search(
                [('company_id', '=', company.id), ('state', '=', 'active')], limit=1)
            settings.esign_pending_witness_key_id = Key.search(
                [('company_id', '=', company.id), ('state', '=', 'pending')], limit=1)
            settings.esign_has_demo_pki = bool(self.env['esign.demo.pki'].sudo().search_count(
                [('company_id', '=', company.id)]))
            if settings.esign_key_backend == 'pkcs11' and settings.esign_pkcs11_kek_label:
                settings.esign_kek_status = self.env._('Key "%(key)s" in the HSM token "%(token)s"',
                                                       key=settings.esign_pkcs11_kek_label,
                                                       token=settings.esign_pkcs11_token_label or '')
            elif config.get('esign_kek_file'):
                settings.esign_kek_status = self.env._('Key file %s (esign_kek_file in the server configuration)',
                                                       config.get('esign_kek_file'))
            else:
                settings.esign_kek_status = self.env._('Not configured: set esign_kek_file in the server configuration')

    def action_esign_import_pkcs12(self):
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Import a witness certificate (PKCS#12)'),
            'res_model': 'esign.pkcs12.import',
            'view_mode': 'form',
            'target': 'new',
        }

    def action_esign_generate_hsm_key(self):
        key = self.env['esign.key.custody']._generate_hsm_key(self.company_id)
        return key._notify(self.env._(
            'The key pair "%s" was generated inside the HSM. Download its certificate request (CSR) for your '
            'certification authority.', key.pkcs11_key_label))

    def _pending_key(self):
        key = self.esign_pending_witness_key_id
        if not key:
            raise UserError(self.env._('No HSM key is waiting for its certificate. Generate a key pair first.'))
        return key

    def action_esign_download_csr(self):
        return self._pending_key().action_download_csr()

    def action_esign_import_certificate(self):
        return self._pending_key().action_import_certificate()

    def action_esign_issue_with_demo_ca(self):
        return self._pending_key().action_issue_with_demo_ca()

    def action_esign_test_hsm(self):
        message = self.env['esign.key.custody']._test_hsm_connection(self.company_id)
        return self.env['esign.witness.key']._notify(message, reload=False)

    def action_esign_generate_hsm_kek(self):
        label = self.env['esign.key.custody']._generate_hsm_kek(self.company_id)
        return self.env['esign.witness.key']._notify(self.env._(
            'The key-encryption key "%s" was generated inside the HSM. Documents stored from now on are protected '
            'by it; earlier ones keep needing the key file.', label))

    def action_esign_witness_keys(self):
        return self.env['ir.actions.act_window']._for_xml_id('esign_hsm.esign_witness_key_action')
