import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import email_normalize, formataddr

from .esign_envelope import end_of_day_utc

SIGNER_STATES = [
    ('waiting', 'Waiting'),
    ('invited', 'Signature requested'),
    ('pending', 'Being signed'),
    ('signed', 'Signed'),
    ('declined', 'Declined'),
]
SIGNER_ROLES = [('contractor', 'Contractor'), ('municipality', 'Municipality')]
MAIL_LAYOUT = 'mail.mail_notification_light'


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

    # -- link tokens ---------------------------------------------------------
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

    @api.model
    def _esign_find_by_token(self, signer_id, token, scope='sign'):
        """The signer (as superuser) whose valid link this is, else an empty recordset."""
        signer, status = self._esign_resolve_token(signer_id, token, scope)
        return signer if status == 'valid' else self.browse()

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

    def _get_share_url(self, redirect=False, signup_partner=False, pid=None, share_token=True):
        # Odoo's share wizard (portal.share) asks any record for a share link.
        raise UserError(self.env._(
            'A signing link cannot be shared: it is personal, and only the signer receives it, by email. To send '
            'it again, use "Send the signature request again" on the signer.'))

    # -- who is logged in ----------------------------------------------------------

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

    # -- mail ------------------------------------------------------------------

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

    def _esign_mail_documents(self):
        """Document names for the mails (「文書：・…」)."""
        self.ensure_one()
        return self.envelope_id.document_ids.mapped('name')

    def _esign_expiry_display(self):
        self.ensure_one()
        return fields.Date.to_string(self.envelope_id.expiry_date)
