from odoo.tests import tagged

from .staff_access_common import StaffAccessCase

MFA_EN = 'requires two-factor authentication'
MFA_JA = '2要素認証'


@tagged('post_install', '-at_install')
class TestStaffMfa(StaffAccessCase):
    """With MFA required, staff without TOTP reach nothing of 電子契約 (no
    menu, no record, not even through JSON-RPC); once they enable TOTP and
    log in with it, they do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.esign_menu_ids = cls.env['ir.ui.menu']._esign_menu_ids()
        cls.root_menu = cls.env.ref('esign_municipal.menu_esign_root')
        # Every e-contract model, including those other parts add later: the
        # guard is keyed on the 'esign.' prefix, so this test covers them too.
        cls.esign_models = sorted(
            name for name, model in cls.env.registry.items()
            if name.startswith('esign.') and not model._abstract and not model._transient)

    def setUp(self):
        super().setUp()
        self.set_policy(mfa=True)

    def visible_menu_ids(self):
        response = self.url_open('/web/webclient/load_menus/test')
        self.assertEqual(response.status_code, 200)
        return {int(key) for key in response.json() if key != 'root'}

    def readable_by_acl(self, user, model):
        return self.env['ir.model.access'].with_user(user).check(model, 'read', raise_exception=False)

    def test_guard_covers_every_esign_model(self):
        self.assertIn('esign.access.refusal', self.esign_models)
        self.assertIn(self.root_menu.id, self.esign_menu_ids)

    def test_unenrolled_staff_reach_nothing_then_totp_opens_the_app(self):
        manager = self.manager
        self.authenticate(manager.login, manager.login)

        # No e-contract menu at all, while the rest of Odoo stays usable.
        visible = self.visible_menu_ids()
        self.assertTrue(visible, 'other apps stay visible')
        self.assertFalse(visible & self.esign_menu_ids)
        self.assertNotIn('error', self.call_kw('res.partner', 'search_read', [[]], {'fields': ['name'], 'limit': 1}))

        # Every e-contract model refuses, with a message saying what to do,
        # and each refusal is logged.
        for model in self.esign_models:
            with self.subTest(model=model):
                reply = self.call_kw(model, 'search_read', [[]], {'fields': ['id'], 'limit': 1})
                if self.readable_by_acl(manager, model):
                    self.assertRpcRefused(reply, MFA_EN, MFA_JA, 'Account Security')
                else:
                    self.assertIn('error', reply)
        refused = self.refusals(manager, 'mfa').filtered(lambda row: row.res_model == 'esign.access.refusal')
        self.assertEqual(len(refused), 1)
        self.assertEqual(refused.path, '/web/dataset/call_kw/esign.access.refusal/search_read')
        self.assertEqual(refused.ip_address, '127.0.0.1')

        # Enable TOTP, then log in for real: password, then the code.
        secret = self.enable_totp(manager)
        self.assertEqual(self.session_uid(), None, 'enabling TOTP ends the old session')
        response = self.log_in_with_password(manager.login, manager.login)
        self.assertIn('/web/login/totp', response.headers['Location'])
        response = self.enter_totp_code(secret)
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertEqual(self.session_uid(), manager.id)

        visible = self.visible_menu_ids()
        self.assertIn(self.root_menu.id, visible)
        for model in self.esign_models:
            if self.readable_by_acl(manager, model):
                with self.subTest(model=model):
                    reply = self.call_kw(model, 'search_read', [[]], {'fields': ['id'], 'limit': 1})
                    self.assertIn('result', reply, reply.get('error'))

    def test_plain_employees_and_policy_off_are_unaffected(self):
        self.authenticate(self.employee.login, self.employee.login)
        self.assertNotIn('error', self.call_kw('res.partner', 'search_read', [[]], {'fields': ['name'], 'limit': 1}))
        self.assertFalse(self.refusals(self.employee, 'mfa'))

        self.set_policy(mfa=False)
        self.authenticate(self.auditor.login, self.auditor.login)
        self.assertIn(self.root_menu.id, self.visible_menu_ids())
        reply = self.call_kw('esign.access.refusal', 'search_read', [[]], {'fields': ['id'], 'limit': 1})
        self.assertIn('result', reply, reply.get('error'))

    def test_refusal_log_is_read_only_for_auditors(self):
        self.set_policy(mfa=False)
        self.authenticate(self.auditor.login, self.auditor.login)
        reply = self.call_kw('esign.access.refusal', 'create', [{'reason': 'ip', 'login': 'forged'}])
        self.assertRpcRefused(reply)
        self.authenticate(self.staff.login, self.staff.login)
        reply = self.call_kw('esign.access.refusal', 'search_read', [[]], {'fields': ['id']})
        self.assertRpcRefused(reply)
