"""Shared by the attack tests: calls made as an attacker makes them, over
HTTP, as the logged-in user of the test's session (HttpCase.authenticate)."""
import json


class RpcAttackMixin:
    """For HttpCase classes: JSON-RPC calls to /web/dataset/call_kw, as the web client sends them."""

    def call_kw(self, model, method, args=(), kwargs=None):
        """(result, None) or (None, error data {'name', 'message', ...}) of one call."""
        payload = {'jsonrpc': '2.0', 'method': 'call', 'id': 1,
                   'params': {'model': model, 'method': method, 'args': list(args), 'kwargs': kwargs or {}}}
        response = self.url_open(f'/web/dataset/call_kw/{model}/{method}', data=json.dumps(payload),
                                 headers={'Content-Type': 'application/json'}, timeout=60)
        self.assertEqual(response.status_code, 200, response.text[:500])
        body = response.json()
        if 'error' in body:
            return None, body['error']['data']
        return body['result'], None

    def assert_rpc_refused(self, model, method, args=(), kwargs=None, errors=('odoo.exceptions.UserError',
                                                                               'odoo.exceptions.AccessError'),
                           message=None):
        """The call fails with one of `errors` (and `message` in its text); returns the error data."""
        result, error = self.call_kw(model, method, args, kwargs)
        self.assertIsNotNone(error, f'{model}.{method}{tuple(args)} was not refused: {result!r}')
        self.assertIn(error['name'], errors, error.get('message'))
        if message:
            self.assertIn(message, error['message'])
        return error
