import xmlrpc.client
from unittest.mock import patch

import odoo
from odoo.tests import tagged
from odoo.tests.common import Transport

from .staff_access_common import StaffAccessCase

REFUSED_EN = 'is not in the list of addresses allowed for Electronic Contracts staff'
REFUSED_JA = '電子契約の職員に許可された接続元アドレスの一覧にありません'
OUTSIDE = '192.0.2.0/24, 2001:db8::/32'     # the test client, 127.0.0.1, is not in it
INSIDE = '127.0.0.0/8, 2001:db8::/32'


@tagged('post_install', '-at_install')
class TestStaffIpRestriction(StaffAccessCase):
    """Staff requests from outside the allow-list get a refusal page (403)
    and a log row; portal users and visitors are never concerned."""

    def assertRefusalPage(self, response):
        self.assertEqual(response.status_code, 403)
        self.assertIn('text/html', response.headers['Content-Type'])
        for text in (REFUSED_JA, REFUSED_EN, 'アクセスが拒否されました', 'Access refused', '127.0.0.1', '+09:00 JST'):
            self.assertIn(text, response.text)

    def test_staff_outside_the_list_are_refused_and_logged(self):
        self.authenticate(self.staff.login, self.staff.login)
        self.set_policy(allowlist=OUTSIDE)
        response = self.url_open('/odoo', headers={'User-Agent': 'Clerk-Browser/1.0'})
        self.assertRefusalPage(response)
        row = self.refusals(self.staff, 'ip')
        self.assertEqual(len(row), 1)
        self.assertEqual((row.ip_address, row.path, row.user_agent, row.login),
                         ('127.0.0.1', '/odoo', 'Clerk-Browser/1.0', self.staff.login))

        # JSON-RPC too (the web client of a tab opened earlier), for any model.
        self.assertRpcRefused(self.call_kw('res.partner', 'search_read', [[]], {'fields': ['name'], 'limit': 1}),
                             REFUSED_EN, REFUSED_JA)
        self.assertEqual(len(self.refusals(self.staff, 'ip')), 2)

        # Anything that looks like an access token never reaches the log.
        self.assertRefusalPage(self.url_open('/odoo/signing-0f8c2a7e-5b1d-4c3e-9a6f-2d7b8e1c4a90'))
        self.assertEqual(self.refusals(self.staff, 'ip')[-1].path, '/odoo/[redacted]')

        # Logging out still works, and leaves an anonymous session.
        response = self.url_open('/web/session/logout', allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIsNone(self.session_uid())

    def test_login_from_outside_is_refused_with_the_reason(self):
        self.set_policy(allowlist=OUTSIDE)
        response = self.log_in_with_password(self.staff.login, self.staff.login)
        self.assertEqual(response.status_code, 200, 'the login form again, not a redirect')
        self.assertIn(REFUSED_EN, response.text)
        self.assertIsNone(self.session_uid())
        self.assertEqual(self.refusals(self.staff, 'ip').path, '/web/login')
        # A wrong password is just a wrong password: nothing tells that the
        # account is staff, and nothing is logged for it.
        response = self.log_in_with_password(self.staff.login, 'wrong password')
        self.assertNotIn(REFUSED_EN, response.text)
        self.assertEqual(len(self.refusals(self.staff, 'ip')), 1)

    def test_staff_inside_the_list_work_normally(self):
        self.set_policy(allowlist=INSIDE)
        self.authenticate(self.staff.login, self.staff.login)
        self.assertEqual(self.url_open('/odoo').status_code, 200)
        self.assertNotIn('error', self.call_kw('res.partner', 'search_read', [[]], {'fields': ['name'], 'limit': 1}))
        response = self.log_in_with_password(self.staff.login, self.staff.login)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.session_uid(), self.staff.id)
        self.assertFalse(self.refusals(self.staff, 'ip'))

    def test_portal_users_visitors_and_other_employees_are_not_concerned(self):
        self.set_policy(allowlist=OUTSIDE)
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self.assertEqual(self.url_open('/my').status_code, 200)
        self.assertEqual(self.session_uid(), self.portal_user.id)
        self.authenticate(self.employee.login, self.employee.login)
        self.assertEqual(self.url_open('/odoo').status_code, 200)
        self.authenticate(None, None)
        self.assertEqual(self.url_open('/web/login').status_code, 200)
        # What a contractor's signing link leads to is a public page: a
        # visitor with no session is never refused (the signing portal lives on such routes).
        self.assertIn(self.url_open('/my', allow_redirects=False).status_code, (302, 303))
        self.assertFalse(self.env['esign.access.refusal'].search([]))

    def test_administrators_are_staff_too(self):
        admin = self.env.ref('base.user_admin')
        self.assertTrue(admin._esign_is_staff())
        self.authenticate('admin', 'admin')
        self.set_policy(allowlist=OUTSIDE)
        self.assertRefusalPage(self.url_open('/odoo'))

    def test_forwarded_for_is_trusted_only_in_proxy_mode(self):
        self.set_policy(allowlist='192.0.2.0/24')
        self.authenticate(self.staff.login, self.staff.login)
        host = f'127.0.0.1:{odoo.tools.config["http_port"]}'
        forwarded = {'X-Forwarded-For': '192.0.2.7', 'X-Forwarded-Host': host, 'X-Forwarded-Proto': 'http'}
        # Without proxy_mode anyone could claim any address: ignored.
        self.assertEqual(self.url_open('/odoo', headers=forwarded).status_code, 403)
        with patch.dict(odoo.tools.config.options, {'proxy_mode': True}):
            self.assertEqual(self.url_open('/odoo', headers=forwarded).status_code, 200)
            # Behind the proxy, the client's own claims come first in the
            # header and the proxy's view of the client last: only the last counts.
            spoofed = dict(forwarded, **{'X-Forwarded-For': '192.0.2.7, 203.0.113.9'})
            self.assertEqual(self.url_open('/odoo', headers=spoofed).status_code, 403)
        self.assertEqual(self.refusals(self.staff, 'ip').mapped('ip_address'), ['127.0.0.1', '203.0.113.9'])

    def test_settings_refuse_a_list_that_locks_out_the_person_saving_it(self):
        self.authenticate(self.manager.login, self.manager.login)
        reply = self.call_kw('res.config.settings', 'create', [{'esign_staff_ip_allowlist': OUTSIDE}])
        self.assertRpcRefused(reply, 'lock you out', '127.0.0.1', error='odoo.exceptions.ValidationError')
        self.assertFalse(self.params.get_param('esign_municipal.staff_ip_allowlist'))

        reply = self.call_kw('res.config.settings', 'create', [{'esign_staff_ip_allowlist': '127.0.0.1 ' + OUTSIDE}])
        self.assertIn('result', reply, reply.get('error'))
        reply = self.call_kw('res.config.settings', 'execute', [[reply['result']]])
        self.assertIn('result', reply, reply.get('error'))
        self.assertEqual(self.params.get_param('esign_municipal.staff_ip_allowlist'),
                         '127.0.0.1/32, 192.0.2.0/24, 2001:db8::/32')
        self.assertEqual(self.url_open('/odoo').status_code, 200)


@tagged('post_install', '-at_install')
class TestStaffIpRestrictionRpc(StaffAccessCase):
    """XML-RPC (and JSON-RPC at /jsonrpc) from outside the allow-list."""

    def fault_of(self, proxy, *call):
        """The XML-RPC fault ``call`` ends with. (Not assertRaises: Odoo's
        wraps the call in a savepoint it rolls back, log rows included.)"""
        try:
            proxy.execute_kw(*call)
        except xmlrpc.client.Fault as fault:
            return fault.faultString
        self.fail(f'{call[3]}.{call[4]} was not refused')

    def test_xmlrpc_from_outside_is_refused(self):
        self.set_policy(allowlist=OUTSIDE)
        fault = self.fault_of(self.xmlrpc_object, self.env.cr.dbname, self.staff.id, self.staff.login,
                              'res.partner', 'search', [[]], {'limit': 1})
        self.assertIn(REFUSED_EN, fault)
        self.assertIn(REFUSED_JA, fault)
        self.assertEqual(self.refusals(self.staff, 'ip').path, '/xmlrpc/2/object')

    def test_xmlrpc_checks_the_address_on_every_call(self):
        self.set_policy(allowlist=INSIDE)
        call = (self.env.cr.dbname, self.staff.id, self.staff.login, 'res.partner', 'search', [[]], {'limit': 1})
        self.assertTrue(self.xmlrpc_object.execute_kw(*call))
        # Odoo caches accepted credentials per (uid, password); moving
        # outside the list is still refused on the next call.
        transport = Transport(self.cr)
        transport._headers = [('X-Forwarded-For', '203.0.113.9'), ('X-Forwarded-Host', 'odoo.city.example')]
        from_outside = xmlrpc.client.ServerProxy(self.xmlrpc_url + 'object', transport=transport)
        with patch.dict(odoo.tools.config.options, {'proxy_mode': True}):
            self.assertTrue(self.xmlrpc_object.execute_kw(*call))
            self.assertIn(REFUSED_EN, self.fault_of(from_outside, *call))
        self.assertEqual(self.refusals(self.staff, 'ip').ip_address, '203.0.113.9')

    def test_xmlrpc_without_totp_reaches_no_e_contract_model(self):
        self.set_policy(mfa=True)
        call = (self.env.cr.dbname, self.manager.id, self.manager.login)
        self.assertTrue(self.xmlrpc_object.execute_kw(*call, 'res.partner', 'search', [[]], {'limit': 1}))
        fault = self.fault_of(self.xmlrpc_object, *call, 'esign.access.refusal', 'search', [[]])
        self.assertIn('requires two-factor authentication', fault)
        self.assertEqual(self.refusals(self.manager, 'mfa').path, '/xmlrpc/2/object')
