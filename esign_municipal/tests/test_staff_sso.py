import json
import urllib.parse

from lxml import html

from odoo.tests import tagged

from .oauth_provider import OAuthProvider
from .staff_access_common import StaffAccessCase

CLIENT_ID = 'odoo-esign-test'


@tagged('post_install', '-at_install')
class TestStaffSso(StaffAccessCase):
    """Staff log in with the municipality's identity provider through
    Odoo's auth_oauth, against a real OAuth 2.0 / OpenID Connect provider
    on 127.0.0.1 (tests/oauth_provider.py): the browser's part is played
    by plain HTTP requests, Odoo's part is untouched."""

    # /auth_oauth/signin is an auth='none' route, so Odoo 18 opens it on a
    # read-only cursor first; auth_oauth then writes the token and commits
    # inside a try/except that turns the read-only error into "oauth_error=2"
    # instead of letting Odoo retry read/write. Without a read replica (our
    # deployment) the cursor is read/write and SSO works; the test cursor
    # emulates a replica unless told not to.
    readonly_enabled = False

    def setUp(self):
        super().setUp()
        self.idp = OAuthProvider(CLIENT_ID, self.base_url() + '/auth_oauth/signin')
        self.idp.add_person('hanako', 'idp-password-1', sub='idp-sub-0001',
                            email='hanako@city.example', name='Hanako Sato')
        self.idp.add_person('stranger', 'idp-password-2', sub='idp-sub-9999',
                            email='stranger@city.example', name='Not An Odoo User')
        self.enterContext(self.idp)
        # Bearer tokens go in the Authorization header, not in URLs that
        # proxies and the provider would log (README, 'SSO').
        self.params.set_param('auth_oauth.authorization_header', '1')
        self.provider = self.env['auth.oauth.provider'].create({
            'name': 'Municipality IdP',
            'body': 'Log in with your municipality account',
            'client_id': CLIENT_ID,
            'auth_endpoint': self.idp.url + '/authorize',
            'validation_endpoint': self.idp.url + '/userinfo',
            'scope': 'openid profile email',
            'enabled': True,
        })
        self.staff.write({'oauth_provider_id': self.provider.id, 'oauth_uid': 'idp-sub-0001'})
        self.env.flush_all()

    # --- the browser's part -------------------------------------------------

    def provider_link(self):
        """The 'Log in with ...' link of Odoo's login page for our provider."""
        self.authenticate(None, None)
        page = self.url_open('/web/login')
        links = [href for href in html.fromstring(page.text).xpath('//a/@href')
                 if href.startswith(self.idp.url + '/authorize')]
        self.assertEqual(len(links), 1, 'the login page offers the municipality IdP')
        return links[0]

    def sign_in_at_idp(self, username, password):
        """Follow the link, sign in at the IdP; returns where the IdP sends
        the browser back to (the token is in the fragment)."""
        link = self.provider_link()
        form = self.opener.get(link, timeout=10)
        self.assertEqual(form.status_code, 200)
        fields = dict(html.fromstring(form.text).xpath('//form')[0].form_values())
        fields.update(username=username, password=password)
        answer = self.opener.post(self.idp.url + '/authorize', data=fields, allow_redirects=False, timeout=10)
        self.assertEqual(answer.status_code, 302, answer.text[:300])
        return answer.headers['Location']

    def come_back_to_odoo(self, location):
        """What the browser does with the IdP's redirect: load the page
        without the fragment, whose script moves the fragment into the query
        string (auth_oauth's fragment_to_query_string), then load that."""
        url, _, fragment = location.partition('#')
        self.assertTrue(url.startswith(self.base_url() + '/auth_oauth/signin'))
        bounce = self.url_open(url)
        self.assertIn('l.hash.substring(1)', bounce.text)
        return self.url_open(f'{url}?{fragment}', allow_redirects=False)

    # --- tests ----------------------------------------------------------------

    def test_staff_member_logs_in_through_the_identity_provider(self):
        response = self.come_back_to_odoo(self.sign_in_at_idp('hanako', 'idp-password-1'))
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertIn(urllib.parse.urlsplit(response.headers['Location']).path, ('/web', '/odoo'))
        self.assertEqual(self.session_uid(), self.staff.id)
        self.assertEqual(self.url_open('/odoo').status_code, 200)
        # Odoo asked the provider who the token belongs to, with the token in
        # the Authorization header.
        self.assertIn(('header', True), self.idp.userinfo_requests)
        # The token is a credential: only its hash is kept.
        self.env.cr.execute('SELECT oauth_access_token FROM res_users WHERE id = %s', [self.staff.id])
        stored = self.env.cr.fetchone()[0]
        self.assertTrue(stored.startswith('sha256:'))
        self.assertFalse(any(token in stored for token in self.idp.tokens))

    def test_unknown_identity_is_refused(self):
        users_before = self.env['res.users'].with_context(active_test=False).search_count([])
        response = self.come_back_to_odoo(self.sign_in_at_idp('stranger', 'idp-password-2'))
        self.assertEqual(response.status_code, 303)
        self.assertIn('/web/login?oauth_error=3', response.headers['Location'])
        self.assertIsNone(self.session_uid())
        self.assertEqual(self.env['res.users'].with_context(active_test=False).search_count([]), users_before,
                         'no account is created for an identity Odoo does not know')

    def test_token_the_provider_did_not_issue_is_refused(self):
        state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.provider_link()).query))['state']
        query = urllib.parse.urlencode({'access_token': 'forged-token', 'token_type': 'Bearer', 'state': state})
        response = self.url_open(f'/auth_oauth/signin?{query}', allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn('/web/login?oauth_error=3', response.headers['Location'])
        self.assertIsNone(self.session_uid())
        self.assertIn(('header', False), self.idp.userinfo_requests)
        self.assertEqual(json.loads(state)['p'], self.provider.id)

    def test_sso_then_odoo_asks_for_the_totp_code(self):
        secret = self.enable_totp(self.staff)
        response = self.come_back_to_odoo(self.sign_in_at_idp('hanako', 'idp-password-1'))
        self.assertEqual(response.status_code, 303)
        self.assertIn('/web/login/totp', response.headers['Location'])
        self.assertIsNone(self.session_uid(), 'not logged in before the code')
        self.assertEqual(self.enter_totp_code(secret).status_code, 303)
        self.assertEqual(self.session_uid(), self.staff.id)

    def test_sso_from_outside_the_allow_list_is_refused(self):
        self.set_policy(allowlist='192.0.2.0/24')
        response = self.come_back_to_odoo(self.sign_in_at_idp('hanako', 'idp-password-1'))
        self.assertIn('/web/login?oauth_error=3', response.headers['Location'])
        self.assertIsNone(self.session_uid())
        self.assertEqual(self.refusals(self.staff, 'ip').path, '/auth_oauth/signin')
