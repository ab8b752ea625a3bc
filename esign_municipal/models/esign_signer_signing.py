"""The signer's side of the flow: invitation, reminder, signing, declining.

`_complete_signing` is the one entry point the portal (and the back office)
calls when a signer approves; it is the Odoo signing pipeline of the
interfaces: lock, check, sign every document through the engine, invite the
next signer, finalize after the last one.
"""
import logging

import pytz

from odoo import SUPERUSER_ID, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from ..tools import pdf_engine
from .esign_envelope import OPEN_STATES, jst_today
from .esign_envelope_workflow import TEMPLATE_INVITATION, TEMPLATE_REMINDER

_logger = logging.getLogger(__name__)

USER_AGENT_MAX = 512
# Ways of signing that rest on the logged-in user rather than on the emailed link.
LOGIN_AUTH_METHODS = ('backoffice', 'login_otp')


class SigningServiceError(UserError):
    """The approval could not be turned into signatures for a reason on the
    service's side (witness key, key-encryption key, timestamp authority,
    stored documents), not the signer's. The message is the clerk's (the
    back office shows it); the signing portal shows the signer a plain message
    with a reference number instead, and keeps the details in the server log."""


class EsignSigner(models.Model):
    _inherit = 'esign.signer'

    # -- invitation and reminders ----------------------------------------------

    def _esign_invite(self):
        """Asks these signers to sign: a personal link in their language, a
        to-do for internal approvers, and a line in the chatter."""
        now = fields.Datetime.now()
        self._esign_record_invited_email()
        urls = {signer.id: signer._esign_sign_url(signer._esign_issue_token('sign', 'invite')) for signer in self}
        self.sudo().write({'state': 'invited', 'invited_at': now})
        self._esign_send_mail(TEMPLATE_INVITATION, urls=urls, secret_kind='invitation')
        for envelope in self.envelope_id:
            mine = self.filtered(lambda s: s.envelope_id == envelope)
            for signer in mine.filtered('user_id'):
                envelope.sudo().activity_schedule(
                    'mail.mail_activity_data_todo', date_deadline=envelope.expiry_date,
                    summary=self.env._('Sign the envelope'), user_id=signer.user_id.id)
            envelope.message_post(body=self.env._('Signature requested from %s.', ', '.join(mine.mapped('name'))))
            envelope._esign_log('invite', signer=mine)

    def _esign_remind(self):
        now = fields.Datetime.now()
        # Envelopes sent before the address was recorded get it now.
        self._esign_record_invited_email()
        for signer in self:
            url = signer._esign_sign_url(signer._esign_issue_token('sign', 'remind'))
            signer._esign_send_mail(TEMPLATE_REMINDER, urls={signer.id: url}, secret_kind='reminder')
            signer.sudo().write({'last_reminder_at': now, 'reminder_count': signer.reminder_count + 1})
            signer.envelope_id.message_post(body=self.env._('Reminder sent to %s.', signer.name))
            signer.envelope_id._esign_log('remind', signer=signer)

    def action_resend_invitation(self):
        """Sends the signature request again to this signer (a new link; earlier links keep working)."""
        for signer in self:
            signer.envelope_id.check_access('write')
            if signer.state != 'invited' or signer.envelope_id.state not in OPEN_STATES:
                raise UserError(self.env._('Only a signer who has been asked to sign can receive the request again.'))
            signer._esign_record_invited_email()
            url = signer._esign_sign_url(signer._esign_issue_token('sign', 'resend'))
            signer._esign_send_mail(TEMPLATE_INVITATION, urls={signer.id: url}, secret_kind='invitation')
            signer.envelope_id.message_post(body=self.env._('Signature request sent again to %s.', signer.name))
            signer.envelope_id._esign_log('resend', signer=signer)
        return True

    # -- checks shared by signing and declining --------------------------------

    def _esign_check_acting_user(self, request_info):
        """An approval or a refusal given as a logged-in user (back office,
        or the signing page without the emailed link) must be that user's
        own: the user of the signer's contact with the address the request
        was sent to. Only people act through HTTP requests (web client,
        RPC, portal); code running without one (crons, the demo data, a
        shell) or as superuser is the server's own. The emailed link is
        checked by the portal."""
        self.ensure_one()
        if (request_info or {}).get('auth_method') not in LOGIN_AUTH_METHODS:
            return
        if not request or self.env.uid == SUPERUSER_ID:
            return
        if not self._esign_is_logged_in_signer(self.env.user):
            raise UserError(self.env._(
                'Only the signer themself can sign or decline: log in with the email address the signature '
                'request was sent to, or open the link in that email.'))

    def _esign_check_can_act(self):
        self.ensure_one()
        envelope = self.envelope_id
        _ = self.env._
        messages = {
            'draft': _('This envelope has not been sent yet.'),
            'completed': _('This envelope is already completed.'),
            'declined': _('This envelope was declined and can no longer be signed.'),
            'expired': _('This envelope has expired and can no longer be signed.'),
            'cancelled': _('The sender cancelled this envelope; it can no longer be signed.'),
        }
        if envelope.state not in OPEN_STATES:
            raise UserError(messages[envelope.state])
        if envelope.expiry_date < jst_today():
            raise UserError(messages['expired'])
        if self.state == 'waiting':
            raise UserError(_('It is not your turn to sign yet: you will receive an email when it is.'))
        if self.state != 'invited':
            raise UserError(_('You can no longer act on this envelope.'))

    def _esign_clean_values(self, values):
        """{esign.field: clean value} for all of this signer's fields, from
        {field id: raw value}; any problem raises one ValidationError."""
        values = values or {}
        try:
            wanted = {int(key): raw for key, raw in values.items()}
        except (TypeError, ValueError, AttributeError) as exc:
            raise ValidationError(self.env._('The submitted values are not valid.')) from exc
        unknown = set(wanted) - set(self.field_ids.ids)
        if unknown:
            raise ValidationError(self.env._('Some submitted fields do not belong to you.'))
        cleaned, problems = {}, []
        for field in self.field_ids:
            try:
                cleaned[field] = field._esign_clean_value(wanted.get(field.id))
            except ValidationError as exc:
                problems.append(exc.args[0])
        if problems:
            raise ValidationError('\n'.join(problems))
        return cleaned

    # -- signing -----------------------------------------------------------------

    def _complete_signing(self, values, request_info=None):
        """The signer approves: checks, then the witness signature on every
        document that has their signature field.

        `values`: {esign.field id: value} for this signer's text, date and
        checkbox fields. `request_info`: {'ip', 'user_agent', 'auth_method'}
        ('email_link', 'email_otp' or 'backoffice').
        Idempotent: a second call (double click, second tab) returns quietly.
        Returns True when signed, False when the signature waits for the TSA.
        """
        self.ensure_one()
        self._esign_check_acting_user(request_info)
        # Odoo mails its notifications (the approver's to-do, ...) from the
        # request after commit when there are few; the signer should not wait
        # for a mail server: they go to the mail queue, which runs at once
        # (_esign_queue_mail), like the invitation of the next signer.
        signer = self.sudo().with_context(mail_notify_force_send=False)
        envelope = signer.envelope_id
        envelope._esign_lock()
        if signer.state in ('pending', 'signed'):
            return signer.state == 'signed'
        signer._esign_check_can_act()
        cleaned = signer._esign_clean_values(values)
        info = request_info or {}
        for field, value in cleaned.items():
            field.write({'value': value})
        signer.write({
            'state': 'pending',
            'signed_at': fields.Datetime.now(),
            'signed_ip': (info.get('ip') or '')[:64] or False,
            'signed_user_agent': (info.get('user_agent') or '')[:USER_AGENT_MAX] or False,
            'auth_method': info.get('auth_method') or 'email_link',
        })
        envelope._esign_log('sign', signer=signer, request_info=info)
        try:
            return signer._esign_apply_signature()
        except SigningServiceError:
            raise
        except UserError as exc:
            raise SigningServiceError(exc.args[0]) from exc

    def _esign_apply_signature(self):
        """Signs, on the signer's behalf, each document that holds their
        signature field (one incremental update each). All documents or none:
        a TSA outage rolls back to the savepoint and leaves the signer pending
        for the retry cron."""
        self.ensure_one()
        # One KEK resolution (one HSM login) for the documents read and written, the final timestamps included.
        with self.env['esign.key.custody']._kek_scope(self.envelope_id.company_id):
            envelope = self.envelope_id
            company = envelope.company_id
            signatures = self.field_ids.filtered(lambda f: f.field_type == 'signature')
            when = pytz.utc.localize(self.signed_at)
            reason = pdf_engine.witness_reason(self.name, self.email, when)
            font_path = pdf_engine.configured_font(self.env)
            try:
                with self.env.cr.savepoint():
                    timestamper = envelope._esign_timestamper()
                    superseded = self.env['esign.vault.blob']
                    with self.env['esign.key.custody']._witness_signer(company) as pdf_signer:
                        for document in signatures.document_id.sorted(lambda d: (d.sequence, d.id)):
                            signature = signatures.filtered(lambda f: f.document_id == document)
                            values = {field._esign_pdf_name(): field._esign_engine_value()
                                      for field in self.field_ids
                                      if field.document_id == document and field.field_type != 'signature'}
                            signed = pdf_engine.sign_for_signer(
                                document._read_pdf('current'), field_name=signature._esign_pdf_name(),
                                values=values, signer=pdf_signer, timestamper=timestamper, reason=reason,
                                location='日本', font_path=font_path, signer_name=self.name,
                                signed_at=when)
                            superseded |= document._write_pdf('current', signed, drop_previous=False)
                    self.env['esign.document']._esign_drop_blobs(superseded)
            except Exception as exc:
                if not pdf_engine.is_transient_timestamp_failure(exc):
                    raise pdf_engine.signing_user_error(self.env, exc) or exc
                _logger.warning('Envelope %s: signature of signer %s waits for a timestamp (%s)',
                                envelope.number, self.id, exc)
                envelope.message_post(body=self.env._(
                    'The approval of %s is recorded; the timestamp authority could not be reached, so the '
                    'signature is applied automatically as soon as it answers.', self.name))
                return False
            self.write({'state': 'signed'})
            self._esign_done_activities()
            envelope.message_post(body=self.env._('%s signed.', self.name))
            envelope._esign_after_signature(self)
            self._esign_queue_mail()
            return True

    def _esign_done_activities(self):
        for signer in self.filtered('user_id'):
            signer.envelope_id.sudo().activity_ids.filtered(
                lambda a: a.user_id == signer.user_id).action_feedback(feedback=self.env._('Signed'))

    # -- declining -----------------------------------------------------------------

    def _esign_decline(self, reason, request_info=None):
        """The signer refuses (差し戻し) with a reason; the envelope stops."""
        self.ensure_one()
        self._esign_check_acting_user(request_info)
        reason = (reason or '').strip()
        if not reason:
            raise UserError(self.env._('Enter the reason for declining: it is sent to the sender.'))
        signer = self.sudo()
        envelope = signer.envelope_id
        envelope._esign_lock()
        if signer.state == 'declined':
            return True
        signer._esign_check_can_act()
        info = request_info or {}
        signer.write({
            'state': 'declined',
            'declined_at': fields.Datetime.now(),
            'decline_reason': reason[:2000],
            'signed_ip': (info.get('ip') or '')[:64] or False,
            'signed_user_agent': (info.get('user_agent') or '')[:USER_AGENT_MAX] or False,
        })
        envelope._esign_declined_by(signer)
        envelope._esign_log('decline', signer=signer, request_info=info, reason=reason)
        return True

