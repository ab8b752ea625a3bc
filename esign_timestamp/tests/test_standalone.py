from odoo.tests import tagged
from odoo.tests.common import TransactionCase


@tagged('post_install', '-at_install')
class TestStandalone(TransactionCase):
    """esign_timestamp is useful without esign_municipal: it knows nothing of envelopes."""

    def test_depends_only_on_settings_and_key_custody(self):
        module = self.env['ir.module.module'].search([('name', '=', 'esign_timestamp')])
        self.assertEqual(module.state, 'installed')
        # esign_hsm keeps its secrets (one store, one key-encryption key)
        self.assertEqual(sorted(module.dependencies_id.mapped('name')), ['base_setup', 'esign_hsm'])
        own_models = self.env['ir.model.data'].search([
            ('module', '=', 'esign_timestamp'), ('model', '=', 'ir.model')])
        envelope_models = self.env['ir.model'].browse(own_models.mapped('res_id')).filtered(
            lambda m: 'envelope' in m.model or 'signer' in m.model)
        self.assertFalse(envelope_models)
