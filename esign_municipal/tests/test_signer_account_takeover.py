"""Logging in stands for the emailed link only for the signer's own account:
a user of the signer's contact whose login is the address the request went
to (plus the one-time code when the envelope asks for one)."""
from odoo.tests import new_test_user, tagged

from .common import pdfsig
from .signer_security_common import SignerSecurityCase

ATTACKER = 'attacker@evil.example'


@tagged('post_install', '-at_install')
class TestSignerAccountTakeover(SignerSecurityCase):

    def signatures(self, envelope):
        return [name for document in envelope.document_ids
                for name in [found.name for found in pdfsig(document._read_pdf('current'), [self.pki.root.cert])
                             if found.kind == 'ETSI.CAdES.detached']]

    def csrf_of_my_account(self):
        return self.csrf(self.open('/my/account'))

    def test_portal_account_given_to_the_contact_under_another_address_cannot_sign(self):
        """The review's attack: the sender gives the contractor's contact a portal account with their own
        address (Odoo's portal wizard rewrites the contact's email), then logs in as it."""
        envelope, signer, _approver = self.send_envelope(lang='en_US')
        self.assertEqual(signer.invited_email, 'yamada@construction.example')
        tokens = self.token_count(signer)
        self.authenticate('esign_officer', 'esign_officer')
        wizard_id, error = self.rpc('portal.wizard', 'create', {'partner_ids': [(6, 0, self.contractor.ids)]})
        self.assertIsNone(error)
        (wizard,), _error = self.rpc('portal.wizard', 'read', [wizard_id], ['user_ids'])
        line_id = wizard['user_ids'][0]
        self.assertEqual(self.rpc('portal.wizard.user', 'write', [line_id], {'email': ATTACKER}), (True, None))
        _result, error = self.rpc('portal.wizard.user', 'action_grant_access', [line_id])
        self.assertIsNone(error)
        self.env.invalidate_all()
        account = self.env['res.users'].search([('login', '=', ATTACKER)])
        self.assertEqual(account.partner_id, self.contractor, 'the wizard gave the contact an account')
        # The change of address is on the envelope's record.
        changed = self.log_events(envelope, 'partner_email_changed')
        self.assertEqual(len(changed), 1)
        self.assertEqual((changed.signer_ref, changed.user_ref), (signer.id, self.officer.id))
        self.assertIn(ATTACKER, changed.details)
        self.assertIn(ATTACKER, envelope.message_ids[0].body)

        # The attacker logs in with that account (the signup mail went to their own address) ...
        self.authenticate(ATTACKER, 'x')
        # ... and even sets the account's email back to the contractor's.
        self.assertEqual(self.rpc('res.users', 'write', [account.id], {'email': 'yamada@construction.example'}),
                         (True, None))
        csrf = self.csrf_of_my_account()
        self.assertEqual(self.open(f'/esign/sign/{signer.id}').status_code, 404)
        document = envelope.document_ids[0]
        self.assertEqual(self.open(f'/esign/sign/{signer.id}/document/{document.id}/pdf').status_code, 404)
        data = {f'field_{k}': v for k, v in self.filled_values().items()}
        self.assertEqual(self.post(f'/esign/sign/{signer.id}/complete', dict(data, csrf_token=csrf)).status_code, 404)
        self.assertEqual(self.post(f'/esign/sign/{signer.id}/decline',
                                   {'reason': 'no', 'csrf_token': csrf}).status_code, 404)
        self.assertNotIn(envelope.number, self.open('/my/esign?filterby=all').text)
        counters = self.make_jsonrpc_request('/my/counters', {'counters': ['esign_to_sign_count']})
        self.assertEqual(counters['esign_to_sign_count'], 0)
        self.env.invalidate_all()
        self.assertEqual((signer.state, envelope.state), ('invited', 'sent'))
        self.assertEqual(self.signatures(envelope), [])
        self.assertEqual(self.token_count(signer), tokens)
        # The requests still go to the address they were sent to.
        envelope.with_user(self.officer).action_remind()
        self.assertEqual(self.mails_to(signer)[-1].email_to, '"Taro Yamada" <yamada@construction.example>')

    def test_contractor_logged_in_with_the_invited_address_still_enters_the_code(self):
        contractor = new_test_user(self.env, 'kobayashi@construction.example', groups='base.group_portal',
                                   email='kobayashi@construction.example', name='Ken Kobayashi')
        envelope, signer, _approver = self.send_envelope(otp=True, contractor=contractor.partner_id)
        self.authenticate('kobayashi@construction.example', 'x')
        self.assertIn(envelope.number, self.open('/my/esign?filterby=to_sign').text)
        page = self.open(f'/esign/sign/{signer.id}')
        self.assertIn('o_esign_otp', page.text, 'logging in does not stand for the one-time code')
        self.assertNotIn('o_esign_sign"', page.text)
        document = envelope.document_ids[0]
        self.assertEqual(self.open(f'/esign/sign/{signer.id}/document/{document.id}/pdf').status_code, 404)
        data = {f'field_{k}': v for k, v in self.filled_values().items()}
        bounced = self.post(f'/esign/sign/{signer.id}/complete', dict(data, csrf_token=self.csrf(page)))
        self.assertEqual(bounced.status_code, 303)
        self.assertEqual(signer.state, 'invited')
        self.post(f'/esign/sign/{signer.id}/otp/send', {'csrf_token': self.csrf(page)})
        verified = self.post(f'/esign/sign/{signer.id}/otp/verify',
                             {'code': self.last_code(signer), 'csrf_token': self.csrf(page)})
        self.assertEqual(verified.status_code, 303)
        self.keep_rotated_session(verified)
        page = self.open(f'/esign/sign/{signer.id}')
        self.assertIn('o_esign_sign', page.text)
        self.assertEqual(self.post(f'/esign/sign/{signer.id}/complete',
                                   dict(data, csrf_token=self.csrf(page))).status_code, 303)
        self.assertEqual((signer.state, signer.auth_method), ('signed', 'login_otp'))

    def test_a_second_account_of_the_contact_sees_nothing(self):
        envelope, signer, _approver = self.send_envelope(lang='en_US')
        # An account of the same contact, but under another login (a colleague's, or an old one).
        new_test_user(self.env, 'sales@construction.example', groups='base.group_portal',
                      partner_id=self.contractor.id)
        self.authenticate('sales@construction.example', 'x')
        self.assertEqual(self.open(f'/esign/sign/{signer.id}').status_code, 404)
        self.assertNotIn(envelope.number, self.open('/my/esign?filterby=all').text)

    def test_internal_approver_signs_only_as_the_invited_user(self):
        envelope, signer, approver = self.send_envelope(lang='en_US')
        # (self.approver is the approver's user, `approver` their signer record)
        signer._complete_signing(self.filled_values(), {'auth_method': 'email_link'})
        self.assertEqual(approver.invited_email, 'approver@demo-city.example')
        # The sender cannot sign in the approver's place from the back office ...
        self.authenticate('esign_officer', 'esign_officer')
        self.assert_refused(self.rpc('esign.envelope', 'action_sign_as_me', [envelope.id]),
                            name='odoo.exceptions.UserError')
        # the sign wizard is refused as soon as it names someone else's signer
        self.assert_refused(self.rpc('esign.approve.wizard', 'create', {'signer_id': approver.id, 'confirmed': True}),
                            name='odoo.exceptions.AccessError', message='Only the signer themself')
        self.assertEqual(self.open(f'/esign/sign/{approver.id}').status_code, 404)
        self.assertEqual(approver.state, 'invited')
        # ... nor can the approver's account once it logs in under another address (its email does not count).
        self.approver.login = 'sato.new@demo-city.example'
        self.authenticate('sato.new@demo-city.example', 'approver@demo-city.example')
        self.assert_refused(self.rpc('esign.envelope', 'action_sign_as_me', [envelope.id]),
                            name='odoo.exceptions.UserError')
        self.assertEqual(self.open(f'/esign/sign/{approver.id}').status_code, 404)
        self.assertEqual(approver.state, 'invited')
        # Logging in with the invited address, the approver signs from the back office.
        self.approver.login = 'approver@demo-city.example'
        self.authenticate('approver@demo-city.example', 'approver@demo-city.example')
        action, error = self.rpc('esign.envelope', 'action_sign_as_me', [envelope.id])
        self.assertIsNone(error)
        self.assertEqual(action['context']['default_signer_id'], approver.id)
        wizard_id, _error = self.rpc('esign.approve.wizard', 'create', {'signer_id': approver.id, 'confirmed': True})
        self.assertEqual(self.rpc('esign.approve.wizard', 'action_sign', [wizard_id])[1], None)
        self.env.invalidate_all()
        self.assertEqual((approver.state, approver.auth_method, envelope.state), ('signed', 'backoffice', 'completed'))

    def test_changing_a_signers_address_is_logged(self):
        envelope, signer, _approver = self.send_envelope(lang='en_US')
        self.authenticate('esign_officer', 'esign_officer')
        self.assertEqual(self.rpc('res.partner', 'write', [self.contractor.id], {'email': 'Yamada@Construction.example'}),
                         (True, None))
        self.assertFalse(self.log_events(envelope, 'partner_email_changed'), 'the same address, written differently')
        self.assertEqual(self.rpc('res.partner', 'write', [self.contractor.id], {'email': 'taro@other.example'}),
                         (True, None))
        self.env.invalidate_all()
        changed = self.log_events(envelope, 'partner_email_changed')
        self.assertEqual(len(changed), 1)
        self.assertIn('taro@other.example', changed.details)
        self.assertEqual(changed.with_context(lang='ja_JP').event_label, '署名者のメールアドレス変更')
        # A contact of no envelope in progress changes address without a trace here.
        self.assertEqual(self.rpc('res.partner', 'write', [self.vendor.id], {'email': 'new@construction.example'}),
                         (True, None))
        self.assertEqual(len(self.log_events(envelope, 'partner_email_changed')), 1)
