from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase, new_test_user

from odoo.addons.esign_municipal.models.res_users import IP_ALLOWLIST_PARAM, MFA_PARAM


@tagged('post_install', '-at_install')
class TestStaffSecuritySettings(TransactionCase):
    """The Security block of the 電子契約 settings checks what is typed and
    saves the canonical form; a bad list saves nothing at all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, 'esign_manager_set', groups='esign_municipal.group_esign_manager')
        cls.params = cls.env['ir.config_parameter'].sudo()

    def save(self, **values):
        settings = self.env['res.config.settings'].with_user(self.manager).create(values)
        settings.execute()

    def test_defaults_are_off(self):
        settings = self.env['res.config.settings'].with_user(self.manager).create({})
        self.assertFalse(settings.esign_staff_mfa_required)
        self.assertFalse(settings.esign_staff_ip_allowlist)
        self.assertFalse(self.manager._esign_mfa_missing())
        self.assertFalse(self.manager._esign_address_refused('203.0.113.9'))

    def test_saved_in_canonical_form(self):
        self.save(esign_staff_mfa_required=True,
                  esign_staff_ip_allowlist=' 192.0.2.0/24\n2001:DB8::/32 ,198.51.100.7 192.0.2.0/24')
        self.assertEqual(self.params.get_param(MFA_PARAM), 'True')
        self.assertEqual(self.params.get_param(IP_ALLOWLIST_PARAM), '192.0.2.0/24, 2001:db8::/32, 198.51.100.7/32')
        self.assertTrue(self.manager._esign_mfa_missing())
        self.assertTrue(self.manager._esign_address_refused('203.0.113.9'))
        self.assertFalse(self.manager._esign_address_refused('2001:db8::42'))
        self.save(esign_staff_ip_allowlist='')
        self.assertFalse(self.params.get_param(IP_ALLOWLIST_PARAM))

    def test_bad_entries_are_named_and_nothing_is_saved(self):
        self.params.set_param(IP_ALLOWLIST_PARAM, '192.0.2.0/24')
        for typed, expected in (
            ('192.0.2.0/24, 10.0.0.300', '“10.0.0.300” in the staff IP allow-list is not an IPv4 or IPv6'),
            ('城庁舎', '“城庁舎”'),
            ('192.168.1.5/24', 'Write the network (192.168.1.0/24)'),
        ):
            with self.subTest(typed=typed), self.assertRaises(ValidationError) as caught:
                self.save(esign_staff_mfa_required=True, esign_staff_ip_allowlist=typed)
            self.assertIn(expected, str(caught.exception))
            self.assertEqual(self.params.get_param(IP_ALLOWLIST_PARAM), '192.0.2.0/24')
            self.assertFalse(self.params.get_param(MFA_PARAM))

    def test_a_list_broken_outside_settings_refuses_everyone(self):
        self.params.set_param(IP_ALLOWLIST_PARAM, '192.0.2.0/24, garbage')
        self.assertTrue(self.manager._esign_address_refused('192.0.2.1'))
        employee = new_test_user(self.env, 'plain_employee_set', groups='base.group_user')
        self.assertFalse(employee._esign_address_refused('192.0.2.1'))
