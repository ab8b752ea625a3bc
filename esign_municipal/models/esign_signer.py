"""A signer (署名者) of an envelope, and the signer's side of the flow.

Invitation and reminders, the emailed one-time code (認証コード), what the
signing portal shows, signing and declining. `_complete_signing` is the one
entry point the portal (and the back office) calls when a signer approves:
lock, check, sign every document through the engine, invite the next signer,
finalize after the last one. The controllers (controllers/signing.py,
download.py) stay thin: they decide who is asking, then call these methods on
the signer (as superuser) and render the result.
"""
import datetime
import logging
import os
from collections import defaultdict

import pytz

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.osv import expression
from odoo.tools import email_normalize, formataddr

from ..engine import font_catalog, witness
from ..engine.jst import end_of_day_utc, format_jst, jst_today
from . import pdf_errors
from .esign_envelope import OPEN_STATES, TEMPLATE_INVITATION, TEMPLATE_REMINDER
from .res_config_settings import FONT_PARAM, OTP_BOUNDS, OTP_DEFAULTS

_logger = logging.getLogger(__name__)

SIGNER_STATES = [
    ('waiting', 'Waiting'),
    ('invited', 'Signature requested'),
    ('pending', 'Being signed'),
    ('signed', 'Signed'),
    ('declined', 'Declined'),
]
SIGNER_ROLES = [('contractor', 'Contractor'), ('municipality', 'Municipality')]
MAIL_LAYOUT = 'mail.mail_notification_light'
USER_AGENT_MAX = 512
# Ways of signing that rest on the logged-in user rather than on the emailed link.
LOGIN_AUTH_METHODS = ('backoffice', 'login_otp')
FILLABLE_TYPES = ('text', 'date', 'checkbox')
# The to-do of an internal signer whose turn it is (done when they sign).
SIGN_ACTIVITY = 'esign_municipal.mail_activity_type_sign'

# The one-time code: results are plain codes the portal turns into messages;
# the rate limits live in esign.portal.throttle (shared by all HTTP workers).
TEMPLATE_OTP = 'esign_municipal.mail_template_otp_code'
# A fresh, still active code is not replaced before this delay (double clicks, impatience).
RESEND_DELAY = datetime.timedelta(seconds=30)


class SigningServiceError(UserError):
    """The approval could not be turned into signatures for a reason on the
    service's side (witness key, key-encryption key, timestamp authority,
    stored documents), not the signer's. The message is the clerk's (the
    back office shows it); the signing portal shows the signer a plain message
    with a reference number instead, and keeps the details in the server log."""


class EsignSigner(models.Model):
    """A person who signs an envelope: the contractor's contact or the municipality's approver.

    Signers get links by mail, never an account: each link carries a token of
    its own (see esign.access.token), valid until the envelope's expiry for
    signing and for the download period after completion.

    Not a portal.mixin: that mixin hands a share link (with a token) to
    anyone who can read the record, and a signing link must only ever leave
    the server inside the mail to the signer's own address.
    """
    _name = 'esign.signer'
    _description = 'Signer'
    _inherit = ['esign.envelope.content.mixin']
    # user_id follows the contact (it decides who may sign logged in, with invited_email).
    _esign_flow_fields = frozenset({
        'state', 'invited_at', 'invited_email', 'last_reminder_at', 'reminder_count', 'signed_at', 'signed_ip',
        'signed_user_agent', 'auth_method', 'declined_at', 'decline_reason', 'user_id', 'access_token_ids'})
    _order = 'envelope_id, signing_order, id'

    envelope_id = fields.Many2one('esign.envelope', string='Envelope', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='envelope_id.company_id', store=True, index=True)
    envelope_state = fields.Selection(related='envelope_id.state', string='Envelope status')
    partner_id = fields.Many2one('res.partner', string='Contact', required=True, index=True)
    name = fields.Char(string='Name', compute='_compute_from_partner', store=True, readonly=False, required=True,
                       precompute=True)
    email = fields.Char(string='Email', compute='_compute_from_partner', store=True, readonly=False, precompute=True)
    user_id = fields.Many2one('res.users', string='Internal user', compute='_compute_user_id', store=True,
                              help='Set when the signer is a user of this database, who can then also sign '
                                   'from the back office.')
    role = fields.Selection(SIGNER_ROLES, string='Role', required=True, default='contractor')
    signing_order = fields.Integer(string='Order', required=True, default=1,
                                   help='In an envelope signed in order, lower numbers sign first; '
                                        'signers with the same number are asked together.')
    state = fields.Selection(SIGNER_STATES, string='Status', required=True, default='waiting', readonly=True,
                             copy=False, index=True)
    otp_required = fields.Boolean(
        string='One-time code required', default=lambda self: self._default_otp_required(),
        help='The signer must enter a code sent to their email before seeing the documents. Signing logged in '
             'with a portal account always asks for the code.')
    signature_type = fields.Selection(
        [('invisible', 'Invisible signature'), ('visible', 'Visible signature')], string='Signature type',
        required=True, default=lambda self: self._default_signature_type())
    field_ids = fields.One2many('esign.field', 'signer_id', string='Fields', copy=False)
    color = fields.Integer(string='Colour', compute='_compute_color')
    email_formatted = fields.Char(string='Formatted email', compute='_compute_email_formatted')
    download_validity_days = fields.Integer(string='Download link validity (days)',
                                            compute='_compute_download_validity_days')

    invited_at = fields.Datetime(string='Requested on', readonly=True, copy=False)
    invited_email = fields.Char(
        string='Invited at', readonly=True, copy=False, index=True,
        help='The address the signature request was sent to, fixed when the envelope is sent. Only a user who '
             'logs in with this address may sign without the emailed link.')
    last_reminder_at = fields.Datetime(string='Last reminder', readonly=True, copy=False)
    reminder_count = fields.Integer(string='Reminders sent', readonly=True, copy=False)
    signed_at = fields.Datetime(string='Signed on', readonly=True, copy=False)
    signed_ip = fields.Char(string='IP address', readonly=True, copy=False)
    signed_user_agent = fields.Char(string='Browser', readonly=True, copy=False)
    auth_method = fields.Selection(
        [('email_link', 'Email link'), ('email_otp', 'Email link and one-time code'),
         ('backoffice', 'Logged-in user'), ('login_otp', 'Logged-in user and one-time code')],
        string='Authentication', readonly=True, copy=False)
    declined_at = fields.Datetime(string='Declined on', readonly=True, copy=False)
    decline_reason = fields.Text(string='Reason for declining', readonly=True, copy=False)
    access_token_ids = fields.One2many('esign.access.token', 'signer_id', string='Link tokens', copy=False,
                                       groups='base.group_system')

    # -- defaults and computed fields --------------------------------------------------------------

    @api.model
    def _default_signature_type(self):
        value = self.env['ir.config_parameter'].sudo().get_param('esign_municipal.default_signature_type')
        return value if value in ('invisible', 'visible') else 'invisible'

    @api.model
    def _default_otp_required(self):
        value = self.env['ir.config_parameter'].sudo().get_param('esign_municipal.otp_required_default', 'False')
        return value.lower() in ('1', 'true', 'yes')

    @api.depends('partner_id')
    def _compute_from_partner(self):
        for signer in self:
            if signer.partner_id:
                signer.name = signer.partner_id.name
                signer.email = signer.partner_id.email

    @api.depends('partner_id.user_ids.share')
    def _compute_user_id(self):
        for signer in self:
            signer.user_id = signer.partner_id.user_ids.filtered(lambda user: not user.share)[:1]

    @api.depends('envelope_id.signer_ids')
    def _compute_color(self):
        # The editor and the portal draw each signer's fields in the signer's colour.
        for signer in self:
            siblings = list(signer.envelope_id.signer_ids)
            signer.color = (siblings.index(signer) % 10 + 1) if signer in siblings else 1

    def _compute_download_validity_days(self):
        days = int(self.env['ir.config_parameter'].sudo().get_param('esign_municipal.download_validity_days', 14))
        self.download_validity_days = max(days, 1)

    @api.depends('name', 'email', 'invited_email')
    def _compute_email_formatted(self):
        # Once sent, every mail goes to the address the request went to.
        for signer in self:
            signer.email_formatted = formataddr((signer.name or '', signer.invited_email or signer.email or ''))

    # -- actions -----------------------------------------------------------------------------------

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

    def _get_share_url(self, redirect=False, signup_partner=False, pid=None, share_token=True):
        # Odoo's share wizard (portal.share) asks any record for a share link.
        raise UserError(self.env._(
            'A signing link cannot be shared: it is personal, and only the signer receives it, by email. To send '
            'it again, use "Send the signature request again" on the signer.'))

    # -- link tokens -------------------------------------------------------------------------------
    # A clear token exists only in the mail to the signer: these methods are
    # private (never callable over RPC), and only the flow that mails the
    # link (send, remind, resend, completion) calls them.

    def _esign_issue_token(self, scope, reason):
        """A new clear token for a link of `scope` ('sign' or 'download');
        only its hash is kept. `reason` (invite, remind, resend, complete ...)
        goes to the operation log with the issue."""
        self.ensure_one()
        if scope == 'sign':
            expires_at = end_of_day_utc(self.envelope_id.expiry_date)
        else:
            expires_at = fields.Datetime.now() + datetime.timedelta(days=self.download_validity_days)
        token = self.env['esign.access.token']._issue(self, scope, expires_at)
        self.envelope_id.sudo()._esign_log('token_issued', signer=self.sudo(), scope=scope, reason=reason,
                                           expires_at=expires_at)
        return token

    @api.model
    def _esign_resolve_token(self, signer_id, token, scope='sign'):
        """(signer as superuser, status) for the token of a mailed link.

        status: 'valid' (the link works), 'expired' or 'revoked' (the envelope
        was completed, declined, cancelled or expired: the portal explains
        which from the envelope's state) or 'unknown' (empty signer: another
        signer's or envelope's token, a tampered one, or one never issued).
        Only a 'valid' token may show documents or accept a signature.
        """
        record, status = self.env['esign.access.token']._resolve(signer_id, token, scope)
        return record.signer_id, status

    def _esign_revoke_tokens(self, scope=None):
        tokens = self.env['esign.access.token'].sudo().search(
            [('signer_id', 'in', self.ids)] + ([('scope', '=', scope)] if scope else []))
        tokens._revoke()

    def _esign_sign_url(self, token):
        self.ensure_one()
        return f'{self.envelope_id.get_base_url()}/esign/sign/{self.id}/{token}'

    def _esign_download_url(self, token):
        self.ensure_one()
        return f'{self.envelope_id.get_base_url()}/esign/download/{self.id}/{token}'

    # -- flow: invitation and reminders ------------------------------------------------------------

    def _esign_invite(self):
        """Asks these signers to sign: a personal link in their language, a
        to-do for internal approvers who can sign from the back office, and a
        line in the chatter."""
        now = fields.Datetime.now()
        self._esign_record_invited_email()
        urls = {signer.id: signer._esign_sign_url(signer._esign_issue_token('sign', 'invite')) for signer in self}
        self.sudo().write({'state': 'invited', 'invited_at': now})
        self._esign_send_mail(TEMPLATE_INVITATION, urls=urls, secret_kind='invitation')
        for envelope in self.envelope_id:
            mine = self.filtered(lambda s: s.envelope_id == envelope)
            # Only a user whose login is the invited address signs logged in: for
            # an internal user under another login the to-do would lead to a
            # dialog that refuses them. They sign with the mailed link, as anyone.
            for signer in mine.filtered(lambda s: s.user_id and s._esign_is_logged_in_signer(s.user_id)):
                envelope.sudo().activity_schedule(
                    SIGN_ACTIVITY, date_deadline=envelope.expiry_date,
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

    # -- flow: the emailed one-time code (認証コード, メール認証) --------------------------------------------

    def _esign_otp_settings(self):
        """{'length', 'attempts', 'minutes'} from Settings, kept within sane bounds."""
        params = self.env['ir.config_parameter'].sudo()
        settings = {}
        for key, default in OTP_DEFAULTS.items():
            try:
                value = int(params.get_param(f'esign_municipal.otp_{key}', default))
            except (TypeError, ValueError):
                value = default
            low, high = OTP_BOUNDS[key]
            settings[key] = min(max(value, low), high)
        return settings

    def _esign_otp_current(self):
        """The signer's latest code record (whatever its state), or an empty recordset."""
        self.ensure_one()
        return self.env['esign.signer.otp'].sudo().search([('signer_id', '=', self.id)], limit=1, order='id desc')

    def _esign_otp_send(self, request_info):
        """Mails a new code. Returns 'sent', 'too_soon' (an active code was
        sent moments ago) or 'limit' (too many codes for this signer or from
        this address)."""
        self.ensure_one()
        signer = self.sudo()
        throttle = self.env['esign.portal.throttle'].sudo()
        ip = request_info.get('ip') or '-'
        current = signer._esign_otp_current()
        if current.state == 'active' and not current._is_expired() \
                and current.create_date > fields.Datetime.now() - RESEND_DELAY:
            return 'too_soon'
        if throttle._esign_is_blocked('otp_send_signer', signer.id) or throttle._esign_is_blocked('otp_send_ip', ip):
            return 'limit'
        throttle._esign_count('otp_send_signer', signer.id)
        throttle._esign_count('otp_send_ip', ip)
        settings = signer._esign_otp_settings()
        _record, code = self.env['esign.signer.otp']._issue(signer, settings['length'], settings['minutes'], ip)
        # The code is valid minutes, not the hour the mail queue may wait: the queue runs at once.
        signer._esign_send_mail(TEMPLATE_OTP, secret_kind='otp', esign_otp_code=code,
                                esign_otp_minutes=settings['minutes'])
        signer.envelope_id._esign_log('otp_sent', signer=signer, request_info=request_info)
        return 'sent'

    def _esign_otp_verify(self, code, request_info):
        """Checks an entered code. Returns (result, tries left) with result in
        'ok', 'wrong', 'locked', 'expired', 'no_code' or 'limit' (too many
        wrong codes from this address)."""
        self.ensure_one()
        signer = self.sudo()
        throttle = self.env['esign.portal.throttle'].sudo()
        ip = request_info.get('ip') or '-'
        if throttle._esign_is_blocked('otp_fail_ip', ip):
            return 'limit', 0
        current = signer._esign_otp_current()
        if not current or current.state in ('used', 'replaced'):
            return 'no_code', 0
        if current.state == 'locked':
            return 'locked', 0
        if current._is_expired():
            return 'expired', 0
        code = (code or '').strip()
        if len(code) <= 32 and current._matches(code):
            current.write({'state': 'used'})
            signer.envelope_id._esign_log('otp_verified', signer=signer, request_info=request_info)
            return 'ok', 0
        throttle._esign_count('otp_fail_ip', ip)
        left = current._count_wrong_entry(signer._esign_otp_settings()['attempts'])
        signer.envelope_id._esign_log('otp_failed', signer=signer, request_info=request_info,
                                      attempts=current.attempts)
        if not left:
            signer.envelope_id._esign_log('otp_locked', signer=signer, request_info=request_info)
            return 'locked', 0
        return 'wrong', left

    # -- flow: checks shared by signing and declining ----------------------------------------------

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

    # -- flow: signing -----------------------------------------------------------------------------

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
            reason = witness.witness_reason(self.name, self.email, when)
            font_path = self._esign_configured_font()
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
                            signed = witness.sign_for_signer(
                                document._read_pdf('current'), field_name=signature._esign_pdf_name(),
                                values=values, signer=pdf_signer, timestamper=timestamper, reason=reason,
                                location='日本', font_path=font_path, signer_name=self.name,
                                signed_at=when)
                            superseded |= document._write_pdf('current', signed, drop_previous=False)
                    self.env['esign.document']._esign_drop_blobs(superseded)
            except Exception as exc:
                if not pdf_errors.is_transient_timestamp_failure(exc):
                    raise pdf_errors.signing_user_error(self.env, exc) or exc
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

    def _esign_configured_font(self):
        """The font spec chosen in Settings (checked when it was saved), or None for the engine's
        default; also None, with a warning, when the file has gone from the server since."""
        spec = self.env['ir.config_parameter'].sudo().get_param(FONT_PARAM) or None
        if spec and not os.path.isfile(font_catalog.split_spec(spec)[0]):
            _logger.warning('the font chosen for stamps (%s) is no longer on the server; using the default', spec)
            return None
        return spec

    def _esign_done_activities(self):
        """The signer's "Sign the envelope" to-do is done; the user's other activities stay."""
        sign_type = self.env.ref(SIGN_ACTIVITY, raise_if_not_found=False)
        for signer in self.filtered('user_id'):
            signer.envelope_id.sudo().activity_ids.filtered(
                lambda a: a.user_id == signer.user_id and a.activity_type_id == sign_type
            ).action_feedback(feedback=self.env._('Signed'))

    # -- flow: declining ---------------------------------------------------------------------------

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

    # -- helpers: who is logged in -----------------------------------------------------------------

    @api.model
    def _esign_logged_in_domain(self, user):
        """The signers `user` is, logged in: a user of the signer's contact
        (a portal user of that contact, or the municipality's own user whose
        contact it is) whose login is the address the request was sent to.

        The login, never the user's email: users edit their own email in
        their preferences (My account, for a portal user), not their login.
        The contact alone is not enough either: whoever may edit contacts can
        give the signer's contact a portal account under another address.
        """
        user = user.sudo()
        if not user or user._is_public():
            return expression.FALSE_DOMAIN
        login = email_normalize(user.login or '')
        if not login:
            return expression.FALSE_DOMAIN
        mine = [('partner_id', '=', user.partner_id.id)] if user.share else [('user_id', '=', user.id)]
        return mine + [('invited_email', '=', login)]

    def _esign_is_logged_in_signer(self, user):
        self.ensure_one()
        return bool(self.sudo().filtered_domain(self._esign_logged_in_domain(user)))

    # -- helpers: mail -----------------------------------------------------------------------------

    def _esign_has_valid_email(self):
        self.ensure_one()
        return bool(email_normalize(self.email or ''))

    def _esign_record_invited_email(self):
        """Fixes the address the requests go to (and who may sign logged in), once, when sending."""
        for signer in self.sudo().filtered(lambda s: not s.invited_email):
            signer.invited_email = email_normalize(signer.email or '') or False

    def _esign_send_mail(self, template_xmlid, urls=None, secret_kind=None, **ctx):
        """Queues one mail per signer from the template, in each recipient's
        language. `urls` maps signer id to the personal link of that mail.

        A mail that carries a link or a code says which (`secret_kind`, see
        mail.mail): it is kept off every chatter and deleted once sent or
        failed, so the secret never stays in the database."""
        if not self:
            return self.env['mail.mail']
        template = self.env.ref(template_xmlid).sudo()
        email_values = {'esign_secret_kind': secret_kind} if secret_kind else None
        mails = template.with_context(esign_urls=urls or {}, **ctx).send_mail_batch(
            self.ids, email_layout_xmlid=MAIL_LAYOUT, email_values=email_values)
        self._esign_queue_mail()
        return mails

    def _esign_mail_undelivered(self, kind, failure_type):
        """A mail with this signer's link or code could not be delivered and
        was deleted: the sender reads it in the chatter (and gets a to-do when
        they have something to do), the operation log keeps it."""
        self.ensure_one()
        _ = self.env._
        envelope = self.envelope_id.sudo().with_context(mail_notify_force_send=False)
        who = f'{self.name} <{self.invited_email or self.email}>'
        messages = {
            'invitation': _('The signature request to %s could not be delivered. It was deleted with its link: '
                            'check the address, then send the signature request again.', who),
            'reminder': _('The reminder to %s could not be delivered. It was deleted with its link: check the '
                          'address, then send the signature request again.', who),
            'otp': _('The one-time code for %s could not be delivered and was deleted. The signer can ask for a '
                     'new code on the signing page.', who),
            'completed': _('The mail "Electronic signature completed" to %s could not be delivered. It was '
                           'deleted with its download link: send the signed documents to the signer another way.',
                           who),
        }
        envelope.message_post(body=messages[kind])
        if kind != 'otp' and envelope.user_id:
            envelope.activity_schedule('mail.mail_activity_data_warning', user_id=envelope.user_id.id,
                                       summary=_('A mail to a signer could not be delivered'), note=messages[kind])
        envelope._esign_log('mail_failed', signer=self, kind=kind, failure_type=failure_type)

    def _esign_queue_mail(self):
        """Signers wait for the queued mails: have the mail queue run as soon
        as a cron worker is free instead of at its hourly slot."""
        self.env.ref('mail.ir_cron_mail_scheduler_action').sudo()._trigger()

    # -- helpers: what the signing portal shows ----------------------------------------------------

    def _esign_portal_state(self):
        """Which page the signer sees: 'open' (the documents, ready to sign) or
        the reason they cannot sign now."""
        self.ensure_one()
        envelope = self.envelope_id
        if self.state in ('signed', 'pending'):
            return self.state
        if self.state == 'declined':
            return 'declined'
        if envelope.state == 'cancelled':
            return 'cancelled'
        if envelope.state == 'declined':
            return 'envelope_declined'
        if envelope.state == 'expired' or (envelope.state in OPEN_STATES and envelope.expiry_date < jst_today()):
            return 'expired'
        if envelope.state == 'completed':
            return 'completed'
        if envelope.state == 'draft':
            return 'not_sent'
        if self.state == 'waiting':
            return 'waiting'
        return 'open'

    def _esign_portal_documents(self, entered=None):
        """[{'document', 'index', 'fields': [...]}] in tab order, each field a
        dict the page and the checklist use. `entered` ({field id: value})
        refills what the signer typed when the page comes back with an error."""
        self.ensure_one()
        entered = entered or {}
        type_labels = dict(self.env['esign.field']._fields['field_type']._description_selection(self.env))
        numbers = defaultdict(int)
        documents = self.envelope_id.document_ids.sorted(lambda d: (d.sequence, d.id))
        result = []
        for index, document in enumerate(documents, 1):
            mine = self.field_ids.filtered(lambda f: f.document_id == document)
            items = []
            for field in mine.sorted(lambda f: (f.page, -f.y2, f.x1, f.id)):
                numbers[field.field_type] += 1
                fillable = field.field_type in FILLABLE_TYPES
                placed = any(field._layout_rect()) and (fillable or self.signature_type == 'visible')
                items.append({
                    'id': field.id,
                    'type': field.field_type,
                    'title': f'{type_labels[field.field_type]} {numbers[field.field_type]}',
                    'label': field.label or '',
                    'required': bool(field.required and fillable),
                    'fillable': fillable,
                    'placed': placed,
                    'page': field.page,
                    'rect': list(field._layout_rect()),
                    'value': entered.get(field.id, field.value or ''),
                })
            result.append({'document': document, 'index': index, 'fields': items})
        return result

    def _esign_portal_counts(self, documents):
        """(filled, required) for the 「必須項目: n/m」 counter."""
        required = [item for doc in documents for item in doc['fields'] if item['required']]
        filled = [item for item in required if str(item['value']).strip()]
        return len(filled), len(required)

    def _esign_masked_email(self):
        """y***@example.com: enough for the signer to recognise, little for anyone else. The address the
        request (and so the code) went to, which the contact's current email may no longer be."""
        self.ensure_one()
        local, _at, domain = (self.invited_email or self.email or '').partition('@')
        return f'{local[:1]}***@{domain}' if domain else '***'

    def _esign_jst_display(self, value):
        """A stored (UTC) datetime as people in Japan read it."""
        return format_jst(value, seconds=False)
