"""A small, real OAuth 2.0 / OpenID Connect identity provider on 127.0.0.1,
standing in for the municipality's IdP (Entra ID, Google Workspace,
Keycloak) in the SSO tests.

It speaks the part of the protocol Odoo's auth_oauth uses: the implicit
grant (response_type=token) at /authorize, with a login form where the
person types their IdP password, a redirect back to the registered
redirect_uri carrying the access token in the URL fragment, and an
OpenID Connect UserInfo endpoint at /userinfo that answers for a valid
bearer token with the person's subject ('sub'), email and name, and with
401 and a WWW-Authenticate challenge otherwise (RFC 6750).
"""
import html
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_LIFETIME = 3600


class OAuthProvider:
    def __init__(self, client_id, redirect_uri):
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.people = {}            # IdP username -> (password, claims)
        self.tokens = {}            # access token -> (claims, expires at)
        self.userinfo_requests = []  # (how the token came, valid) per call
        self._server = None
        self._thread = None

    def add_person(self, username, password, sub, email, name):
        self.people[username] = (password, {'sub': sub, 'email': email, 'name': name})

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f'http://{host}:{port}'

    def __enter__(self):
        self._server = ThreadingHTTPServer(('127.0.0.1', 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name='oauth-provider', daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # --- protocol -------------------------------------------------------

    def check_authorization_request(self, params):
        """An error text for a request this IdP must not answer, else None."""
        if params.get('response_type') != 'token':
            return 'unsupported_response_type'
        if params.get('client_id') != self.client_id:
            return 'unauthorized_client'
        if params.get('redirect_uri') != self.redirect_uri:
            return 'invalid redirect_uri'
        return None

    def issue_token(self, claims):
        token = secrets.token_urlsafe(32)
        self.tokens[token] = (claims, time.time() + TOKEN_LIFETIME)
        return token

    def claims_for(self, token):
        claims, expires_at = self.tokens.get(token, (None, 0))
        return claims if claims and time.time() < expires_at else None


def _handler_for(provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass  # quiet: the tests assert on what matters

        def _send(self, status, body, content_type='text/html; charset=utf-8', headers=()):
            data = body.encode()
            self.send_response(status)
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _login_form(self, params, error=''):
            hidden = ''.join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}"/>'
                             for k, v in params.items() if k not in ('username', 'password'))
            return (f'<html><body><h1>Municipality IdP</h1><p class="error">{html.escape(error)}</p>'
                    f'<form method="post" action="/authorize">{hidden}'
                    '<input name="username"/><input name="password" type="password"/>'
                    '<button type="submit">Sign in</button></form></body></html>')

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            params = dict(urllib.parse.parse_qsl(url.query))
            if url.path == '/authorize':
                error = provider.check_authorization_request(params)
                if error:
                    return self._send(400, error, 'text/plain')
                return self._send(200, self._login_form(params))
            if url.path == '/userinfo':
                return self._userinfo(params)
            return self._send(404, 'not found', 'text/plain')

        def do_POST(self):
            if urllib.parse.urlsplit(self.path).path != '/authorize':
                return self._send(404, 'not found', 'text/plain')
            length = int(self.headers.get('Content-Length') or 0)
            params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            error = provider.check_authorization_request(params)
            if error:
                return self._send(400, error, 'text/plain')
            password, claims = provider.people.get(params.get('username'), (None, None))
            if not claims or not secrets.compare_digest(password, params.get('password', '')):
                return self._send(200, self._login_form(params, 'Wrong username or password'))
            fragment = urllib.parse.urlencode({
                'access_token': provider.issue_token(claims),
                'token_type': 'Bearer',
                'expires_in': TOKEN_LIFETIME,
                'scope': params.get('scope', ''),
                'state': params.get('state', ''),
            })
            self.send_response(302)
            self.send_header('Location', f"{params['redirect_uri']}#{fragment}")
            self.send_header('Content-Length', '0')
            self.end_headers()

        def _userinfo(self, params):
            authorization = self.headers.get('Authorization', '')
            if authorization.startswith('Bearer '):
                how, token = 'header', authorization[len('Bearer '):]
            else:
                how, token = 'query', params.get('access_token', '')
            claims = provider.claims_for(token)
            provider.userinfo_requests.append((how, bool(claims)))
            if not claims:
                return self._send(401, '', 'text/plain', headers=[
                    ('WWW-Authenticate', 'Bearer error="invalid_token", '
                                         'error_description="The access token is invalid or expired"')])
            return self._send(200, json.dumps(claims), 'application/json')

    return Handler
