"""The portal side, attacked as the review described it: staff who make
their own email the signer's address, a portal account of the invited
address without the mailed code, portal users on the public verification
page, and the system overview of a database shared by several towns."""
import re

from odoo.tests import HttpCase, new_test_user, tagged

from ..models.esign_portal_throttle import LIMITS
from ..models.pdf_errors import VERIFY_MAX_PDF_SIZE
from .archive_common import ArchiveCase, VerificationPageMixin
from .common import pdfsig
from .signer_security_common import SignerSecurityCase

INVITED = 'yamada@construction.example'
PORTAL_LOGIN = 'kobayashi@construction.example'


@tagged('post_install', '-at_install')
class TestSecurityReviewPortalSigning(SignerSecurityCase):
    """Logging in stands for the mailed link only with a login that is the
    invited address (a user's own email is theirs to edit), and a portal
    login never stands for the mailed one-time code."""

    def signatures(self, envelope):
        """The names of the witness signatures in the envelope's current PDFs (pdfsig)."""
        return [found.name for document in envelope.document_ids
                for found in pdfsig(document._read_pdf('current'), [self.pki.root.cert])
                if found.kind == 'ETSI.CAdES.detached']

    def state_of(self, envelope, signer):
        self.env.invalidate_all()
        return {'signer': signer.state, 'envelope': envelope.state, 'signed_at': signer.signed_at,
                'auth_method': signer.auth_method, 'signatures': self.signatures(envelope),
                'tokens': self.token_count(signer), 'log': self.log_events(envelope).mapped('event')}

    def attempt_everything(self, envelope, signer, csrf, values=None):
        """Every signing route without the mailed link: (status of each)."""
        document = envelope.document_ids[0]
        data = {f'field_{k}': v for k, v in (values or {}).items()}
        return (
            self.open(f'/esign/sign/{signer.id}').status_code,
            self.open(f'/esign/sign/{signer.id}/document/{document.id}/pdf').status_code,
            self.post(f'/esign/sign/{signer.id}/complete', dict(data, csrf_token=csrf)).status_code,
            self.post(f'/esign/sign/{signer.id}/decline', {'reason': 'no', 'csrf_token': csrf}).status_code,
            self.post(f'/esign/sign/{signer.id}/otp/send', {'csrf_token': csrf}).status_code,
        )

    # -- H2: the user's own email is not who they are -------------------------------------------

    def test_staff_making_their_email_the_invited_address_cannot_sign(self):
        """The sender puts their own contact on the contractor's row, with the contractor's name and address
        (the row's fields are editable), sends, then makes their own email that address in their
        preferences: the request went to the contractor, and the sender must not sign in their place."""
        envelope = self.create_envelope(documents={'Contract': 1}, signers=[
            (self.officer.partner_id, 'contractor', 1), (self.approver.partner_id, 'municipality', 2)])
        signer = envelope.signer_ids.sorted('signing_order')[0]
        signer.with_user(self.officer).write({'name': 'Taro Yamada', 'email': INVITED})
        envelope.with_user(self.officer).action_send()
        self.assertEqual((signer.user_id, signer.invited_email), (self.officer, INVITED))
        self.authenticate('esign_officer', 'esign_officer')
        # Preferences: a user may write their own email (res.users SELF_WRITEABLE_FIELDS).
        self.assertEqual(self.rpc('res.users', 'write', [self.officer.id], {'email': INVITED}), (True, None))
        self.env.invalidate_all()
        self.assertEqual(self.officer.email, INVITED)
        before = self.state_of(envelope, signer)
        csrf = self.csrf(self.open('/my/account'))
        self.assertEqual(self.attempt_everything(envelope, signer, csrf), (404, 404, 404, 404, 404))
        # The back office refuses it too: no "Sign" for this user, and the dialog cannot name the signer.
        self.assert_refused(self.rpc('esign.envelope', 'action_sign_as_me', [envelope.id]),
                            name='odoo.exceptions.UserError')
        self.assert_refused(self.rpc('esign.approve.wizard', 'create', {'signer_id': signer.id, 'confirmed': True}),
                            name='odoo.exceptions.AccessError', message='Only the signer themself')
        self.assert_refused(self.rpc('esign.decline.wizard', 'create', {'signer_id': signer.id, 'reason': 'No'}),
                            name='odoo.exceptions.AccessError')
        (row,), _error = self.rpc('esign.envelope', 'read', [envelope.id], ['can_sign_as_me'])
        self.assertFalse(row['can_sign_as_me'])
        # Nothing changed; the email change itself is on the envelope's record.
        after = self.state_of(envelope, signer)
        self.assertEqual(after['log'], before['log'])
        self.assertEqual({k: v for k, v in after.items() if k != 'log'},
                         {k: v for k, v in before.items() if k != 'log'})
        self.assertEqual((after['signer'], after['envelope']), ('invited', 'sent'))
        self.assertIn('partner_email_changed', after['log'])
        self.assertFalse({'view', 'sign', 'decline', 'otp_sent'} & set(after['log']))
        # The person the request went to signs with their link.
        self.new_browser()
        self.assertEqual(self.open(self.sign_path(signer)).status_code, 200)
        page = self.open(f'/esign/sign/{signer.id}')
        self.assertEqual(self.post(f'/esign/sign/{signer.id}/complete', {'csrf_token': self.csrf(page)}).status_code,
                         303)
        self.assertEqual((signer.state, signer.auth_method), ('signed', 'email_link'))

    def test_internal_account_of_the_contact_under_another_login_cannot_sign(self):
        """An internal account linked to the contractor's contact (a seconded employee, say) shares its email,
        but logs in under another name: it is not the address the request went to."""
        insider = new_test_user(self.env, 'esign_seconded', groups='esign_municipal.group_esign_user',
                                partner_id=self.contractor.id, email=INVITED)
        envelope, signer, _approver = self.send_envelope(lang='en_US')
        self.assertEqual((signer.user_id, signer.invited_email, insider.email), (insider, INVITED, INVITED))
        before = self.state_of(envelope, signer)
        self.authenticate('esign_seconded', 'esign_seconded')
        csrf = self.csrf(self.open('/my/account'))
        self.assertEqual(self.attempt_everything(envelope, signer, csrf, self.filled_values()),
                         (404, 404, 404, 404, 404))
        self.assert_refused(self.rpc('esign.envelope', 'action_sign_as_me', [envelope.id]),
                            name='odoo.exceptions.UserError')
        self.assert_refused(self.rpc('esign.approve.wizard', 'create', {'signer_id': signer.id, 'confirmed': True}),
                            name='odoo.exceptions.AccessError')
        self.assertEqual(self.state_of(envelope, signer), before)

    def test_to_do_only_for_a_signer_who_can_sign_logged_in(self):
        """The internal user of the contractor's contact logs in under another name than the address invited:
        the back office's dialog refuses them, so no "Sign the envelope" to-do leads there. They get the
        request by mail like anyone and sign with its link; the approver, whose login is the invited
        address, gets the to-do when asked."""
        insider = new_test_user(self.env, 'esign_seconded', groups='esign_municipal.group_esign_user',
                                partner_id=self.contractor.id, email=INVITED)
        envelope, signer, approver = self.send_envelope(lang='en_US')
        self.assertEqual((signer.user_id, signer.invited_email, signer.state), (insider, INVITED, 'invited'))
        self.assertFalse(envelope.activity_ids, 'a to-do for a user who cannot sign logged in')
        invitation = self.mails_to(signer).filtered(lambda m: '/esign/sign/' in (m.body_html or ''))
        self.assertEqual(len(invitation), 1)
        self.assertIn(INVITED, invitation.email_to)
        path = self.sign_path(signer)
        # Logged in as the insider, the mailed link opens the page and signs.
        self.authenticate('esign_seconded', 'esign_seconded')
        self.keep_rotated_session(self.open(path, allow_redirects=False))
        page = self.open(f'/esign/sign/{signer.id}')
        self.assertIn('o_esign_sign', page.text)
        data = {f'field_{k}': v for k, v in self.filled_values().items()}
        self.assertEqual(self.post(f'/esign/sign/{signer.id}/complete', dict(data, csrf_token=self.csrf(page)))
                         .status_code, 303)
        self.env.invalidate_all()
        self.assertEqual((signer.state, signer.auth_method), ('signed', 'email_link'))
        # The approver is asked next, and has the to-do; the insider never had one.
        self.assertEqual(approver.state, 'invited')
        todo = envelope.activity_ids
        self.assertEqual(todo.user_id, self.approver)
        self.assertEqual((len(todo), todo.summary), (1, 'Sign the envelope'))
        self.assertFalse(self.env['mail.activity'].search([('user_id', '=', insider.id)]))

    # -- H3: a portal login always asks for the mailed code ----------------------------------------

    def test_portal_login_asks_for_the_code_even_when_the_envelope_does_not(self):
        contractor = new_test_user(self.env, PORTAL_LOGIN, groups='base.group_portal', email=PORTAL_LOGIN,
                                   name='Ken Kobayashi', lang='ja_JP')
        self.env['ir.config_parameter'].sudo().set_param('esign_municipal.otp_required_default', 'False')
        envelope, signer, _approver = self.send_envelope(otp=False, contractor=contractor.partner_id)
        self.assertEqual((signer.otp_required, signer.invited_email), (False, PORTAL_LOGIN))
        # The account is in someone else's hands (the password reset went to the contact's new email): they
        # even point the contact's email at themselves, so a code would go there if it followed the contact.
        self.authenticate(PORTAL_LOGIN, PORTAL_LOGIN)
        self.assertEqual(self.rpc('res.users', 'write', [contractor.id], {'email': 'attacker@evil.example'}),
                         (True, None))
        before = self.state_of(envelope, signer)
        self.assertEqual(before['log'][-1], 'partner_email_changed')
        self.assertIn(envelope.number, self.open('/my/esign?filterby=to_sign').text)
        page = self.open(f'/esign/sign/{signer.id}')
        self.assertEqual(page.status_code, 200)
        self.assertIn('o_esign_otp', page.text)
        self.assertIn('認証コード', page.text)
        self.assertIn('k***@construction.example', page.text, 'the code goes to the invited address')
        self.assertNotIn('o_esign_sign"', page.text)
        document = envelope.document_ids[0]
        self.assertEqual(self.open(f'/esign/sign/{signer.id}/document/{document.id}/pdf').status_code, 404)
        data = {f'field_{k}': v for k, v in self.filled_values().items()}
        csrf = self.csrf(page)
        for path, values in ((f'/esign/sign/{signer.id}/complete', data),
                             (f'/esign/sign/{signer.id}/decline', {'reason': 'no'})):
            with self.subTest(path=path):
                refused = self.post(path, dict(values, csrf_token=csrf))
                self.assertEqual(refused.status_code, 303)
                self.assertTrue(refused.headers['Location'].endswith(f'/esign/sign/{signer.id}'))
        self.assertEqual(self.state_of(envelope, signer), before)
        # A guessed code is refused.
        self.post(f'/esign/sign/{signer.id}/otp/send', {'csrf_token': csrf})
        code = self.last_code(signer)
        self.assertEqual(self.otp_mails(signer)[-1].email_to, f'"Ken Kobayashi" <{PORTAL_LOGIN}>')
        wrong = self.post(f'/esign/sign/{signer.id}/otp/verify',
                          {'code': f'{(int(code) + 1) % 10 ** len(code):0{len(code)}d}', 'csrf_token': csrf})
        self.assertEqual(wrong.status_code, 200)
        self.assertIn('o_esign_otp', wrong.text)
        self.assertEqual(self.post(f'/esign/sign/{signer.id}/complete', dict(data, csrf_token=csrf)).status_code, 303)
        self.env.invalidate_all()
        self.assertEqual(signer.state, 'invited')
        self.assertEqual(self.log_events(envelope).mapped('event'),
                         before['log'] + ['otp_sent', 'otp_failed'])
        # The code from the mail to the invited address opens the page, for this session.
        verified = self.post(f'/esign/sign/{signer.id}/otp/verify', {'code': code, 'csrf_token': csrf})
        self.assertEqual(verified.status_code, 303)
        self.keep_rotated_session(verified)
        page = self.open(f'/esign/sign/{signer.id}')
        self.assertIn('o_esign_sign', page.text)
        self.assertEqual(self.open(f'/esign/sign/{signer.id}/document/{document.id}/pdf').status_code, 200)
        self.assertEqual(self.post(f'/esign/sign/{signer.id}/complete',
                                   dict(data, csrf_token=self.csrf(page))).status_code, 303)
        self.env.invalidate_all()
        self.assertEqual((signer.state, signer.auth_method), ('signed', 'login_otp'))
        self.assertEqual(self.log_events(envelope, 'sign').signer_ref, signer.id)

    def test_the_code_of_a_portal_login_is_asked_once_per_session(self):
        contractor = new_test_user(self.env, PORTAL_LOGIN, groups='base.group_portal', email=PORTAL_LOGIN,
                                   name='Ken Kobayashi')
        envelope, signer, _approver = self.send_envelope(otp=False, lang='en_US', contractor=contractor.partner_id)
        self.authenticate(PORTAL_LOGIN, PORTAL_LOGIN)
        page = self.open(f'/esign/sign/{signer.id}')
        self.post(f'/esign/sign/{signer.id}/otp/send', {'csrf_token': self.csrf(page)})
        verified = self.post(f'/esign/sign/{signer.id}/otp/verify',
                             {'code': self.last_code(signer), 'csrf_token': self.csrf(page)})
        self.keep_rotated_session(verified)
        for _visit in range(2):
            self.assertIn('o_esign_sign', self.open(f'/esign/sign/{signer.id}').text)
        # A new login is a new session: the code again.
        self.authenticate(PORTAL_LOGIN, PORTAL_LOGIN)
        self.assertIn('o_esign_otp', self.open(f'/esign/sign/{signer.id}').text)
        self.assertEqual(signer.state, 'invited')
        # The internal approver, logged in as the invited address, is not asked for it.
        signer._complete_signing(self.filled_values(), {'auth_method': 'email_link'})
        approver = envelope.signer_ids - signer
        self.authenticate('approver@demo-city.example', 'approver@demo-city.example')
        page = self.open(f'/esign/sign/{approver.id}')
        self.assertIn('o_esign_sign', page.text)
        self.assertEqual(self.post(f'/esign/sign/{approver.id}/complete', {'csrf_token': self.csrf(page)}).status_code,
                         303)
        self.assertEqual((approver.state, approver.auth_method, envelope.state), ('signed', 'backoffice', 'completed'))


@tagged('post_install', '-at_install')
class TestSecurityReviewPortalVerification(VerificationPageMixin, HttpCase, ArchiveCase):
    """/esign/verify treats portal users as the public; /esign/system-overview
    shows the figures of the user's own companies only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(cls.env, 'portal_verifier', groups='base.group_portal')

    # -- L5 ------------------------------------------------------------------------------------

    def test_portal_user_is_counted_and_limited_like_the_public(self):
        pdf = self.complete_envelope().document_ids._read_pdf('current')
        self.enable()
        before = self.state()
        self.authenticate('portal_verifier', 'portal_verifier')
        response = self.verify(pdf)
        self.assertEqual(response.status_code, 200)
        self.assertIn('Valid: every signature is intact', response.text)
        after = self.state()
        self.assertEqual(after['log'], before['log'], 'no operation-log row for a portal user either')
        self.assertEqual(after['counted'], before['counted'] + 1)
        self.assertEqual([(row['key'], row['count']) for row in after['throttle']], [('verify_ip:127.0.0.1', 1)])
        # The address's allowance used up: the portal user is refused, nothing verified or counted.
        maximum, _window = LIMITS['verify_ip']
        for _count in range(maximum - 1):
            self.env['esign.portal.throttle'].sudo()._esign_count('verify_ip', '127.0.0.1')
        refused = self.verify(pdf)
        self.assertEqual(refused.status_code, 429)
        self.assertIn('Too many files were verified from your address', refused.text)
        self.assertNotIn('Valid: every signature is intact', refused.text)
        self.assertEqual(self.state()['counted'], after['counted'])
        self.assertEqual(self.state()['log'], before['log'])
        # Over the size limit: refused before the body is read, as for anyone.
        self.assertEqual(self.verify(b'%PDF-1.7\n' + b'0' * (VERIFY_MAX_PDF_SIZE + 128 * 1024)).status_code, 413)
        self.assertEqual(self.state()['counted'], after['counted'])

    def test_portal_user_is_refused_when_the_public_page_is_off(self):
        pdf = self.complete_envelope().document_ids._read_pdf('current')
        self.enable(False)
        before = self.state()
        self.authenticate('portal_verifier', 'portal_verifier')
        self.assertEqual(self.url_open('/esign/verify').status_code, 404)
        csrf = self.csrf_of('/my/account')
        # Not even a small body is read.
        refused = self.opener.post(f'{self.base_url()}/esign/verify', data={'csrf_token': csrf},
                                   files={'pdf': ('contract.pdf', pdf)}, timeout=60)
        self.assertEqual(refused.status_code, 413)
        self.assertEqual(self.state(), before)
        # The municipality's users still verify (and it is logged).
        self.authenticate('esign_officer', 'esign_officer')
        self.assertEqual(self.verify(pdf).status_code, 200)
        self.assertEqual(len(self.log_of(event='verify_signatures', user_ref=self.officer.id)), 1)

    def csrf_of(self, path):
        page = self.url_open(path)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    # -- L6 ------------------------------------------------------------------------------------

    def test_system_overview_shows_only_the_users_companies(self):
        other = self.env['res.company'].create({'name': 'Other Town'})
        other_user = new_test_user(self.env, 'esign_other_town_user', groups='esign_municipal.group_esign_user',
                                   company_id=other.id, company_ids=[(6, 0, other.ids)])
        for number in ('OT-1', 'OT-2', 'OT-3'):
            self.make_contract(number, company_id=other.id, user_id=other_user.id)
        self.make_contract('HERE-1')
        Log = self.env['esign.operation.log'].sudo()
        for _row in range(4):
            Log._esign_record('verify_signatures', company=other, file='other.pdf')
        self.env['esign.contract.type'].create({'name': 'Other Town gravel', 'retention_years': 7,
                                                'company_id': other.id})
        self.env['esign.tsa'].create({'name': 'Other Town TSA', 'url': 'https://tsa.other-town.example/',
                                      'company_id': other.id})
        self.env['esign.demo.pki']._install_demo_pki(other, self.pki)
        self.seal()

        def figures(login):
            self.authenticate(login, login)
            response = self.url_open('/esign/system-overview')
            self.assertEqual(response.status_code, 200)
            counts = dict(re.findall(r'<th[^>]*>(Archived contracts|Operation log entries)</th>\s*<td>(\d+)</td>',
                                     response.text))
            head = re.search(r'Newest hash of the operation log</th>\s*<td[^>]*>(\d+): ([0-9a-f]+)', response.text)
            return response.text, {key: int(value) for key, value in counts.items()}, head

        def expected(company):
            head = Log.search([('company_id', '=', company.id), ('chain_seq', '!=', False)],
                              order='chain_seq desc', limit=1)
            return ({'Archived contracts': self.env['esign.contract'].sudo().search_count(
                        [('company_id', '=', company.id)]),
                     'Operation log entries': Log.search_count([('company_id', '=', company.id)])},
                    (str(head.chain_seq), head.entry_hash))

        text, counts, head = figures('esign_officer')
        wanted, wanted_head = expected(self.company)
        self.assertEqual(counts, wanted)
        self.assertEqual(counts['Archived contracts'], 1)
        self.assertEqual(head.groups(), wanted_head)
        for foreign in ('Other Town gravel', 'Other Town TSA', 'Other Town'):
            self.assertNotIn(foreign, text)
        self.assertIn('Loopback TSA', text, 'a TSA of no company is everyone\'s')

        text, counts, head = figures('esign_other_town_user')
        wanted, wanted_head = expected(other)
        self.assertEqual(counts, wanted)
        self.assertEqual(counts['Archived contracts'], 3)
        self.assertEqual(head.groups(), wanted_head)
        self.assertIn('Other Town gravel', text)
        self.assertIn('Other Town TSA', text)
        self.assertNotIn('デモ市', text)
