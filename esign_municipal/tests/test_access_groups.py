from odoo.tests import tagged
from odoo.tests.common import TransactionCase, new_test_user


@tagged('post_install', '-at_install')
class TestAccessGroups(TransactionCase):
    """The 電子契約 menu and its settings are shown to the right people only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root_menu = cls.env.ref('esign_municipal.menu_esign_root')
        cls.settings_menu = cls.env.ref('esign_municipal.menu_esign_settings')
        cls.user = new_test_user(cls.env, 'esign_user', groups='esign_municipal.group_esign_user')
        cls.auditor = new_test_user(cls.env, 'esign_auditor', groups='esign_municipal.group_esign_auditor')
        cls.manager = new_test_user(cls.env, 'esign_manager', groups='esign_municipal.group_esign_manager')
        cls.employee = new_test_user(cls.env, 'plain_employee', groups='base.group_user')
        cls.portal = new_test_user(cls.env, 'portal_contractor', groups='base.group_portal')

    def _visible_menus(self, user):
        return self.env['ir.ui.menu'].with_user(user)._visible_menu_ids()

    def test_menu_visibility(self):
        # Users and auditors see the root through the envelopes menu.
        envelopes_menu = self.env.ref('esign_municipal.menu_esign_envelopes')
        for user, sees_root, sees_settings in (
            (self.env.ref('base.user_admin'), True, True),
            (self.manager, True, True),
            (self.user, True, False),
            (self.auditor, True, False),
            (self.employee, False, False),
        ):
            with self.subTest(user=user.login):
                visible = self._visible_menus(user)
                self.assertEqual(self.root_menu.id in visible, sees_root)
                self.assertEqual(envelopes_menu.id in visible, sees_root)
                self.assertEqual(self.settings_menu.id in visible, sees_settings)

    def test_group_hierarchy(self):
        self.assertTrue(self.manager.has_group('esign_municipal.group_esign_user'))
        self.assertTrue(self.manager.has_group('esign_municipal.group_esign_auditor'))
        # The auditor only reads: being an auditor never makes one a sender.
        self.assertFalse(self.auditor.has_group('esign_municipal.group_esign_user'))
        self.assertFalse(self.user.has_group('esign_municipal.group_esign_auditor'))
        self.assertFalse(self.portal.has_group('esign_municipal.group_esign_user'))

    def test_settings_saved_by_manager(self):
        settings = self.env['res.config.settings'].with_user(self.manager).create({
            'esign_download_validity_days': 21,
            'esign_default_signature_type': 'visible',
        })
        settings.execute()
        params = self.env['ir.config_parameter'].sudo()
        self.assertEqual(params.get_param('esign_municipal.download_validity_days'), '21')
        self.assertEqual(params.get_param('esign_municipal.default_signature_type'), 'visible')
