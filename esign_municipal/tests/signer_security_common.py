"""Shared by the tests of "only the signer can sign": staff acting over
JSON-RPC as the web client does, a real SMTP server on loopback, and looks at
the database as a backup would show it (SQL, not the ORM)."""
import asyncio
import contextlib
import email
import email.policy
import json
import re
import socket

from aiosmtpd.controller import Controller

from odoo.modules import module as odoo_module
from odoo.tests import new_test_user

from .portal_common import PortalCase

SIGN_LINK_RE = re.compile(r'/esign/(sign|download)/(\d+)/([A-Za-z0-9_\-]{20,})')


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class _Mailbox:
    """aiosmtpd handler: keeps every message it accepts; refuses every recipient while `refuse` is set."""

    def __init__(self):
        self.messages = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's naming)
        if self.refuse:
            return '550 5.1.1 Mailbox unavailable'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return '250 Message accepted for delivery'


class LoopbackSmtp:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that Odoo delivers to."""

    def __init__(self):
        self.mailbox = _Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname='127.0.0.1', port=self.port,
                                     loop=asyncio.new_event_loop())

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def texts(self):
        """The text of every delivered mail, HTML part included."""
        found = []
        for message in self.mailbox.messages:
            for part in message.walk():
                if part.get_content_maintype() == 'text':
                    found.append(part.get_content())
        return found


class SignerSecurityCase(PortalCase):
    """A sent envelope, staff users as the review found them, and the tools to attack as they would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The officer as municipalities set them up: sends envelopes and may create contacts.
        cls.officer.groups_id |= cls.env.ref('base.group_partner_manager')
        cls.auditor = new_test_user(cls.env, 'esign_auditor_sec', groups='esign_municipal.group_esign_auditor',
                                    email='audit@demo-city.example', name='Auditor')

    # -- acting as a logged-in user's browser -----------------------------------------------

    def rpc(self, model, method, *args, context=None, **kwargs):
        """(result, error) of a JSON-RPC /web/dataset/call_kw call in the current session, as the web client
        makes it; error is {'name', 'message'} or None."""
        payload = {'id': 1, 'jsonrpc': '2.0', 'method': 'call', 'params': {
            'model': model, 'method': method, 'args': list(args),
            'kwargs': dict(kwargs, context=dict(context or {}))}}
        response = self.url_open(f'/web/dataset/call_kw/{model}/{method}', json.dumps(payload).encode(),
                                 headers={'Content-Type': 'application/json'})
        self.assertEqual(response.status_code, 200, response.text[:500])
        answer = response.json()
        if 'error' in answer:
            return None, {'name': answer['error']['data']['name'], 'message': answer['error']['data']['message']}
        return answer['result'], None

    def keep_rotated_session(self, response):
        """Odoo gives a session a new id when its rights change (a one-time code entered): keep only the
        new cookie, as a browser would (HttpCase.authenticate set the first one without a domain, so the
        server's new cookie would come second and lose)."""
        sid = response.cookies.get('session_id')
        self.assertTrue(sid, 'the session was not renewed')
        self.opener.cookies.clear()
        self.opener.cookies['session_id'] = sid

    def assert_refused(self, answer, *, name=None, message=None):
        result, error = answer
        self.assertIsNone(result, 'the call went through')
        self.assertIsNotNone(error)
        if name:
            self.assertEqual(error['name'], name, error)
        if message:
            self.assertIn(message, error['message'])
        return error

    # -- what the database holds ---------------------------------------------------------------

    def token_count(self, signer):
        self.env.cr.execute('SELECT count(*) FROM esign_access_token WHERE signer_id = %s', [signer.id])
        return self.env.cr.fetchone()[0]

    def log_events(self, envelope, event=None):
        domain = [('envelope_ref', '=', envelope.id)] + ([('event', '=', event)] if event else [])
        return self.env['esign.operation.log'].sudo().search(domain, order='id')

    def rows_holding(self, secret, tables=('mail_mail', 'mail_message')):
        """{table: count} of the rows whose text (every column) contains `secret`, as a dump would show them."""
        self.env.flush_all()
        found = {}
        for table in tables:
            self.env.cr.execute(f'SELECT count(*) FROM {table} AS row WHERE row::text LIKE %s', [f'%{secret}%'])
            found[table] = self.env.cr.fetchone()[0]
        return found

    def assert_nowhere_in_mail_tables(self, *secrets):
        for secret in secrets:
            self.assertEqual(self.rows_holding(secret), {'mail_mail': 0, 'mail_message': 0},
                             f'a secret ({secret[:6]}...) stays in the mail tables')

    def secret_of(self, mail):
        """The token of the link, or the one-time code, a queued mail carries (what its recipient reads)."""
        match = SIGN_LINK_RE.search(mail.body_html or '')
        if match:
            return match.group(3)
        code = re.search(r'letter-spacing: 6px;">(\d+)</p>', mail.body_html or '')
        self.assertTrue(code, 'the mail carries neither a link nor a code')
        return code.group(1)

    # -- sending for real ----------------------------------------------------------------------

    @contextlib.contextmanager
    def real_smtp(self, port):
        """Odoo's mail queue delivers through an SMTP server at 127.0.0.1:`port` (Odoo skips SMTP in
        tests; here it connects for real)."""
        self.env['ir.mail_server'].sudo().search([]).active = False
        self.env['ir.mail_server'].sudo().create({
            'name': 'Loopback', 'smtp_host': '127.0.0.1', 'smtp_port': port, 'smtp_encryption': 'none',
            'sequence': 1})
        testing, odoo_module.current_test = odoo_module.current_test, None
        try:
            yield
        finally:
            odoo_module.current_test = testing

    def send_queue(self, signers):
        """Runs the mail queue for the mails of `signers` (as the mail cron does)."""
        mails = self.env['mail.mail'].sudo().search(
            [('model', '=', 'esign.signer'), ('res_id', 'in', signers.ids), ('state', '=', 'outgoing')])
        mails.send()
        return mails
