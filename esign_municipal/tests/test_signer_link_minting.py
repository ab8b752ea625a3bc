"""Nobody but the mail to the signer gets a signing link: staff cannot mint
one over RPC, through Odoo's share wizard, or read one back."""
from odoo.tests import tagged

from .signer_security_common import SIGN_LINK_RE, SignerSecurityCase


@tagged('post_install', '-at_install')
class TestSignerLinkMinting(SignerSecurityCase):

    def setUp(self):
        super().setUp()
        self.envelope, self.signer, self.approver_signer = self.send_envelope(lang='en_US')
        self.tokens_before = self.token_count(self.signer)
        self.issued_before = len(self.log_events(self.envelope, 'token_issued'))

    def assert_nothing_minted(self):
        self.assertEqual(self.token_count(self.signer), self.tokens_before, 'a token was created')
        self.assertEqual(len(self.log_events(self.envelope, 'token_issued')), self.issued_before)
        self.assertEqual(self.signer.state, 'invited')

    def assert_no_link_in(self, answer):
        self.assertFalse(SIGN_LINK_RE.search(str(answer)), 'a signing link came back')

    def test_sender_cannot_mint_a_link_over_rpc(self):
        """The review's attack: the sender asks for the contractor's portal URL through /web/dataset/call_kw."""
        self.authenticate('esign_officer', 'esign_officer')
        # The sender does see the signer (that is how they follow the envelope) ...
        rows, error = self.rpc('esign.signer', 'read', [self.signer.id], ['name', 'state'])
        self.assertIsNone(error)
        self.assertEqual(rows[0]['state'], 'invited')
        # ... but no portal URL, share URL or token comes with it.
        with self.assertLogs('odoo.http', 'ERROR'):
            error = self.assert_refused(self.rpc('esign.signer', 'get_portal_url', [self.signer.id]))
        self.assertIn('does not exist', error['message'])
        for method, args in (('_portal_ensure_token', []), ('_get_share_url', []),
                             ('_esign_issue_token', ['sign', 'invite']), ('_esign_sign_url', ['x']),
                             ('_esign_invite', []), ('_esign_remind', [])):
            with self.subTest(method=method):
                self.assert_refused(self.rpc('esign.signer', method, [self.signer.id], *args),
                                    name='odoo.exceptions.AccessError', message='cannot be called remotely')
        fields, _error = self.rpc('esign.signer', 'fields_get', attributes=['type'])
        self.assertFalse({'access_token', 'access_url', 'access_warning'} & set(fields))
        everything, _error = self.rpc('esign.signer', 'search_read', [('id', '=', self.signer.id)])
        self.assert_no_link_in(everything)
        self.assert_nothing_minted()
        # Without a link, the sender's own session has no signing page either.
        self.assertEqual(self.open(f'/esign/sign/{self.signer.id}').status_code, 404)

    def test_share_wizard_gives_no_link(self):
        """Odoo's share wizard (portal.share, Contact Creation right) on the signer."""
        self.authenticate('esign_officer', 'esign_officer')
        context = {'active_model': 'esign.signer', 'active_id': self.signer.id}
        error = self.assert_refused(self.rpc('portal.share', 'default_get', ['share_link', 'res_model', 'res_id'],
                                             context=context), name='odoo.exceptions.UserError')
        self.assertIn('cannot be shared', error['message'])
        self.assert_refused(self.rpc('portal.share', 'web_save', [], {'partner_ids': [(6, 0, self.contractor.ids)]},
                                     specification={'share_link': {}}, context=context))
        self.assert_refused(self.rpc('portal.share', 'create', {
            'res_model': 'esign.signer', 'res_id': self.signer.id, 'partner_ids': [(6, 0, self.contractor.ids)]},
            context=context))
        self.assert_nothing_minted()

    def test_auditor_and_followers_cannot_mint_either(self):
        follower = self.env['res.users'].search([('login', '=', 'approver@demo-city.example')])
        self.envelope.message_subscribe(partner_ids=follower.partner_id.ids)
        for login in ('esign_auditor_sec', 'approver@demo-city.example'):
            with self.subTest(login=login):
                self.authenticate(login, login)
                self.assert_refused(self.rpc('esign.signer', '_portal_ensure_token', [self.signer.id]),
                                    name='odoo.exceptions.AccessError')
                self.assert_refused(self.rpc('portal.share', 'default_get', ['share_link'], context={
                    'active_model': 'esign.signer', 'active_id': self.signer.id}))
        self.assert_nothing_minted()

    def test_resending_mails_the_new_link_to_the_signer_only(self):
        self.authenticate('esign_officer', 'esign_officer')
        result, error = self.rpc('esign.signer', 'action_resend_invitation', [self.signer.id])
        self.assertIsNone(error)
        self.assert_no_link_in(result)
        self.assertEqual(self.token_count(self.signer), self.tokens_before + 1)
        mail = self.mails_to(self.signer)[-1]
        self.assertEqual(mail.email_to, '"Taro Yamada" <yamada@construction.example>')
        self.assertEqual(mail.esign_secret_kind, 'invitation')
        issued = self.log_events(self.envelope, 'token_issued')[-1]
        self.assertEqual((issued.signer_ref, issued.user_ref), (self.signer.id, self.officer.id))
        self.assertIn('"reason": "resend"', issued.details)
        self.assertIn('"scope": "sign"', issued.details)
        self.assertEqual(issued.with_context(lang='ja_JP').event_label, 'リンク発行')

    def test_every_issued_token_is_in_the_operation_log(self):
        # Sending issued one token per invited signer, each logged before the mail left.
        self.assertEqual(self.tokens_before, 1)
        self.assertEqual(self.issued_before, 1)
        self.envelope.with_user(self.officer).action_remind()
        self.signer._complete_signing(self.filled_values(), {'auth_method': 'email_link'})
        self.approver_signer._complete_signing({}, {'auth_method': 'backoffice'})
        self.assertEqual(self.envelope.state, 'completed')
        issued = self.log_events(self.envelope, 'token_issued')
        reasons = [(entry.signer_ref, entry.details.split('"reason": "')[1].split('"')[0]) for entry in issued]
        self.assertEqual(reasons, [(self.signer.id, 'invite'), (self.signer.id, 'remind'),
                                   (self.approver_signer.id, 'invite'), (self.signer.id, 'complete'),
                                   (self.approver_signer.id, 'complete')])
        self.env.cr.execute('SELECT count(*) FROM esign_access_token WHERE signer_id IN %s',
                            [tuple(self.envelope.signer_ids.ids)])
        self.assertEqual(self.env.cr.fetchone()[0], len(issued))
