"""Shared by the staff-access tests: real HTTP requests to the test server
(127.0.0.1), real logins through Odoo's own login and TOTP pages."""
import base64
import json
import os
import re
import time

from odoo.addons.auth_totp.models.totp import TIMESTEP, hotp
from odoo.tests.common import HOST, HttpCase, new_test_user

from odoo.addons.esign_municipal.models.res_users import IP_ALLOWLIST_PARAM, MFA_PARAM

CSRF_INPUT = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


def totp_code(secret):
    """The code an authenticator app shows now for ``secret`` (base32)."""
    return hotp(base64.b32decode(secret), int(time.time() / TIMESTEP))


class StaffAccessCase(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # new_test_user: the password is the login.
        cls.staff = new_test_user(cls.env, 'esign_staff', groups='esign_municipal.group_esign_user')
        cls.auditor = new_test_user(cls.env, 'esign_auditor_sa', groups='esign_municipal.group_esign_auditor')
        cls.manager = new_test_user(cls.env, 'esign_manager_sa', groups='esign_municipal.group_esign_manager')
        cls.employee = new_test_user(cls.env, 'plain_employee_sa', groups='base.group_user')
        cls.portal_user = new_test_user(cls.env, 'portal_contractor_sa', groups='base.group_portal')
        cls.params = cls.env['ir.config_parameter'].sudo()
        # Odoo creates a user's settings row on their first page load, in a
        # read-only request it must then retry (logging an error): create them now.
        for user in (cls.staff, cls.auditor, cls.manager, cls.employee, cls.portal_user):
            cls.env['res.users.settings']._find_or_create_for_user(user)

    def authenticate(self, user, password, browser=None):
        # HttpCase sets the session cookie for any domain; the server's own
        # cookie (set when a login rotates the session) would then sit next
        # to it and lose. Bind ours to the host, so the server's replaces it.
        session = super().authenticate(user, password, browser)
        self.opener.cookies.clear()
        self.opener.cookies.set('session_id', session.sid, domain=HOST, path='/')
        return session

    def set_policy(self, mfa=None, allowlist=None):
        if mfa is not None:
            self.params.set_param(MFA_PARAM, 'True' if mfa else 'False')
        if allowlist is not None:
            self.params.set_param(IP_ALLOWLIST_PARAM, allowlist)
        self.env.flush_all()

    # --- requests ---------------------------------------------------------

    def call_kw(self, model, method, args=(), kwargs=None, headers=None):
        """A JSON-RPC call as the web client makes it; the decoded reply."""
        payload = {'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': {
            'model': model, 'method': method, 'args': list(args), 'kwargs': kwargs or {}}}
        response = self.url_open(f'/web/dataset/call_kw/{model}/{method}', data=json.dumps(payload),
                                 headers={'Content-Type': 'application/json', **(headers or {})})
        self.assertEqual(response.status_code, 200, response.text[:500])
        return response.json()

    def assertRpcRefused(self, reply, *fragments, error='odoo.exceptions.AccessError'):
        self.assertIn('error', reply, f'expected a refusal, got {reply}')
        data = reply['error']['data']
        self.assertEqual(data['name'], error, data.get('message'))
        for fragment in fragments:
            self.assertIn(fragment, data['message'])

    def session_uid(self):
        payload = {'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': {}}
        reply = self.url_open('/web/session/get_session_info', data=json.dumps(payload),
                              headers={'Content-Type': 'application/json'}).json()
        return reply.get('result', {}).get('uid')

    def csrf_token(self, path):
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200, page.text[:300])
        match = CSRF_INPUT.search(page.text)
        self.assertTrue(match, f'no CSRF token on {path}')
        return match.group(1)

    def log_in_with_password(self, login, password, headers=None):
        """Odoo's login form, as a browser submits it (no redirect followed)."""
        self.authenticate(None, None)  # a fresh, anonymous session
        csrf = self.csrf_token('/web/login')
        return self.url_open('/web/login', data={'login': login, 'password': password, 'csrf_token': csrf},
                             allow_redirects=False, headers=headers)

    def enter_totp_code(self, secret):
        csrf = self.csrf_token('/web/login/totp')
        return self.url_open('/web/login/totp', data={'totp_token': totp_code(secret), 'csrf_token': csrf},
                             allow_redirects=False)

    def enable_totp(self, user):
        """What the 'Enable two-factor authentication' wizard does for the
        user: check a first code from the authenticator, store the secret."""
        secret = base64.b32encode(os.urandom(20)).decode()
        self.assertTrue(user.with_user(user)._totp_try_setting(secret, totp_code(secret)))
        self.env.flush_all()
        return secret

    def refusals(self, user, reason):
        return self.env['esign.access.refusal'].search(
            [('user_id', '=', user.id), ('reason', '=', reason)], order='id')
