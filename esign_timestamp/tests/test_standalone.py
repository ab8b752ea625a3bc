from odoo.tests import tagged
from odoo.tests.common import TransactionCase


@tagged('post_install', '-at_install')
class TestStandalone(TransactionCase):
    """esign_timestamp is useful on its own: it knows nothing of envelopes."""

    def test_depends_only_on_base_setup(self):
        module = self.env['ir.module.module'].search([('name', '=', 'esign_timestamp')])
        self.assertEqual(module.state, 'installed')
        self.assertEqual(module.dependencies_id.mapped('name'), ['base_setup'])
        own_models = self.env['ir.model.data'].search([
            ('module', '=', 'esign_timestamp'), ('model', '=', 'ir.model')])
        envelope_models = self.env['ir.model'].browse(own_models.mapped('res_id')).filtered(
            lambda m: 'envelope' in m.model or 'signer' in m.model)
        self.assertFalse(envelope_models)
