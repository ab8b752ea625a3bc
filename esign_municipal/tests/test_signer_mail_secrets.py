"""Links and one-time codes live in the mail to the signer and nowhere else:
not in a chatter, not in the mail tables once the mail is sent, and not
after it failed (a real SMTP server on loopback, a closed port)."""
from odoo.tests import tagged

from .signer_security_common import SIGN_LINK_RE, LoopbackSmtp, SignerSecurityCase, free_port

HERE = {'ip': '198.51.100.20', 'auth_method': 'email_link'}


@tagged('post_install', '-at_install')
class TestSignerMailSecrets(SignerSecurityCase):

    def queued(self, signer, kind):
        mail = self.mails_to(signer).filtered(lambda m: m.state == 'outgoing' and m.esign_secret_kind == kind)
        self.assertEqual(len(mail), 1, f'one {kind} mail waits in the queue')
        return mail

    def assert_only_in_the_queue(self, secret):
        """Waiting to be sent, the secret is in the outgoing mail only (which administrators alone read),
        never in the message everyone who reads the signer may read."""
        self.assertEqual(self.rows_holding(secret), {'mail_mail': 1, 'mail_message': 0})

    def test_no_link_or_code_stays_after_sending(self):
        envelope, signer, approver = self.send_envelope(otp=True, lang='en_US')
        invitation = self.queued(signer, 'invitation')
        token = self.secret_of(invitation)
        self.assert_only_in_the_queue(token)
        # What the sender can read of the signer's mail: no link, and not the outgoing mail itself.
        self.authenticate('esign_officer', 'esign_officer')
        messages, error = self.rpc('mail.message', 'search_read',
                                   [('model', '=', 'esign.signer'), ('res_id', '=', signer.id)])
        self.assertIsNone(error)
        self.assertNotIn(token, str(messages))
        self.assert_refused(self.rpc('mail.mail', 'search_read', [('res_id', '=', signer.id)], ['body_html']),
                            name='odoo.exceptions.AccessError')
        self.send_queue(signer)
        self.assert_nowhere_in_mail_tables(token)
        # The mailed link still works: only its hash was ever kept.
        self.new_browser()
        self.assertEqual(self.open(f'/esign/sign/{signer.id}/{token}', allow_redirects=False).status_code, 303)

        envelope.with_user(self.officer).action_remind()
        reminder = self.secret_of(self.queued(signer, 'reminder'))
        self.assert_only_in_the_queue(reminder)
        self.send_queue(signer)

        self.assertEqual(signer._esign_otp_send(HERE), 'sent')
        code = self.secret_of(self.queued(signer, 'otp'))
        self.assert_only_in_the_queue(f'>{code}<')
        self.send_queue(signer)
        self.assertEqual(signer._esign_otp_verify(code, HERE), ('ok', 0))

        signer._complete_signing(self.filled_values(), HERE)
        self.send_queue(approver)
        approver._complete_signing({}, {'auth_method': 'backoffice'})
        self.assertEqual(envelope.state, 'completed')
        downloads = [self.secret_of(self.queued(one, 'completed')) for one in (signer, approver)]
        self.send_queue(signer | approver)
        self.assert_nowhere_in_mail_tables(token, reminder, f'>{code}<', *downloads)
        self.assertFalse(self.env['mail.mail'].sudo().search_count(
            [('esign_secret_kind', '!=', False), ('res_id', 'in', envelope.signer_ids.ids)]))

    def test_delivered_for_real_and_gone_from_the_database(self):
        smtp = LoopbackSmtp().start()
        self.addCleanup(smtp.stop)
        envelope, signer, _approver = self.send_envelope(lang='en_US')
        with self.real_smtp(smtp.port):
            self.send_queue(signer)
        links = [match.groups() for text in smtp.texts() for match in SIGN_LINK_RE.finditer(text)]
        self.assertTrue(links, 'the signature request reached the mailbox')
        scope, signer_id, token = links[0]
        self.assertEqual((scope, int(signer_id)), ('sign', signer.id))
        self.assert_nowhere_in_mail_tables(token)
        self.new_browser()
        self.assertEqual(self.open(f'/esign/sign/{signer.id}/{token}', allow_redirects=False).status_code, 303)

    def assert_undelivered(self, envelope, signer, secret, kind, note):
        """The failed mail is gone with its secret; the sender and the operation log know."""
        self.assert_nowhere_in_mail_tables(secret)
        self.assertFalse(self.mails_to(signer).filtered(lambda m: m.esign_secret_kind == kind))
        failed = self.log_events(envelope, 'mail_failed')
        self.assertTrue(failed)
        self.assertEqual(failed[-1].signer_ref, signer.id)
        self.assertIn(f'"kind": "{kind}"', failed[-1].details)
        self.assertIn(note, envelope.message_ids[0].body)
        self.assertNotIn(secret, envelope.message_ids[0].body)
        self.assertEqual(self.rows_holding(secret, tables=('mail_activity', 'esign_operation_log')),
                         {'mail_activity': 0, 'esign_operation_log': 0})

    def test_mail_server_unreachable(self):
        envelope, signer, _approver = self.send_envelope(lang='en_US')
        token = self.secret_of(self.queued(signer, 'invitation'))
        with self.real_smtp(free_port()):   # nothing listens there
            self.send_queue(signer)
        self.env.invalidate_all()
        self.assert_undelivered(envelope, signer, token, 'invitation', 'could not be delivered')
        todo = envelope.activity_ids.filtered(lambda a: a.user_id == self.officer)
        self.assertEqual(todo.summary, 'A mail to a signer could not be delivered')
        self.assertEqual(signer.state, 'invited')
        # The sender sends the request again: a new link, in a new mail.
        signer.with_user(self.officer).action_resend_invitation()
        self.assertNotEqual(self.secret_of(self.queued(signer, 'invitation')), token)

    def test_mail_server_refuses_the_code(self):
        smtp = LoopbackSmtp().start()
        self.addCleanup(smtp.stop)
        smtp.mailbox.refuse = True
        envelope, signer, _approver = self.send_envelope(otp=True, lang='en_US')
        self.send_queue(signer)
        self.assertEqual(signer._esign_otp_send(HERE), 'sent')
        code = self.secret_of(self.queued(signer, 'otp'))
        with self.real_smtp(smtp.port), self.assertLogs('odoo.addons.mail.models.mail_mail', 'ERROR'):
            self.send_queue(signer)
        self.env.invalidate_all()
        self.assertFalse(smtp.mailbox.messages)
        self.assert_undelivered(envelope, signer, f'>{code}<', 'otp', 'can ask for a new code')
        self.assertFalse(envelope.activity_ids.filtered(lambda a: a.user_id == self.officer),
                         'the signer, on the page, asks for a new code; the sender has nothing to do')

    def test_failed_mails_left_behind_are_vacuumed(self):
        _envelope, signer, _approver = self.send_envelope(lang='en_US')
        mail = self.queued(signer, 'invitation')
        token = self.secret_of(mail)
        mail.cancel()
        # A failed mail from before mails said what they carry, and a failed mail of another kind.
        legacy = 'L' * 43
        Mail = self.env['mail.mail'].sudo()
        Mail.create({'model': 'esign.signer', 'res_id': signer.id, 'state': 'exception', 'email_to': 'x@example.com',
                     'body_html': f'<a href="https://esign.example/esign/sign/{signer.id}/{legacy}">Review</a>'})
        other = Mail.create({'state': 'exception', 'email_to': 'x@example.com', 'body_html': '<p>Newsletter</p>'})
        self.env['mail.mail']._gc_esign_secret_mails()
        self.assert_nowhere_in_mail_tables(token, legacy)
        self.assertTrue(other.exists(), 'other failed mails stay for the administrator to retry')
