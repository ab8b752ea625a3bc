"""The 電子契約 block of Settings: signing defaults, the signing portal's
one-time code, the font of stamps, the archive, and staff security (MFA and
the staff IP allow-list, see README, 'Staff access'). Every change of an
e-contract setting goes into the operation log."""
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.ip_allowlist import AllowListError, is_allowed, normalize_allowlist, parse_allowlist
from ..engine import font_catalog
from .esign_settings_audit_mixin import SECRET_WORDS
from .request_address import client_address

SIMPLE_TYPES = ('char', 'integer', 'float', 'boolean', 'selection', 'many2one', 'text', 'date', 'monetary')
OTHER_FONT = 'custom'
# The font of visible stamps and filled fields (a font_catalog spec); empty: the engine's default.
FONT_PARAM = 'esign_municipal.font_path'
# The emailed one-time code: defaults, and the bounds Settings keep it within.
OTP_DEFAULTS = {'length': 6, 'attempts': 5, 'minutes': 10}
OTP_BOUNDS = {'length': (6, 10), 'attempts': (1, 10), 'minutes': (1, 60)}
# Staff security (res.users enforces them).
MFA_PARAM = 'esign_municipal.staff_mfa_required'
IP_ALLOWLIST_PARAM = 'esign_municipal.staff_ip_allowlist'


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    # -- signing defaults ----------------------------------------------------------

    esign_download_validity_days = fields.Integer(
        string='Download link validity (days)',
        config_parameter='esign_municipal.download_validity_days',
        default=14,
        help='How long the link in the completion email lets every party '
             'download the signed documents without logging in.',
    )
    esign_default_signature_type = fields.Selection(
        selection=[('invisible', 'Invisible signature'), ('visible', 'Visible signature')],
        string='Default signature type',
        config_parameter='esign_municipal.default_signature_type',
        default='invisible',
        help='Whether a new signer gets an invisible witness signature or a '
             'visible stamp on the page; it can be changed per signer.',
    )
    esign_reminder_interval_days = fields.Integer(
        string='Reminder interval (days)',
        config_parameter='esign_municipal.reminder_interval_days',
        default=3,
        help='Signers who have not signed get a reminder every this many days; 0 sends no reminders.',
    )
    esign_default_expiry_days = fields.Integer(
        string='Default expiry (days)',
        config_parameter='esign_municipal.default_expiry_days',
        default=14,
        help='A new envelope expires this many days after it is created, unless the sender changes the date.',
    )
    esign_default_approver_id = fields.Many2one(
        'res.users',
        string='Default approver',
        config_parameter='esign_municipal.default_approver_id',
        domain=[('share', '=', False)],
        help='The official proposed as approver when envelopes are sent from purchase orders.',
    )

    # -- the signing portal: the emailed one-time code --------------------------------

    esign_otp_required_default = fields.Boolean(
        string='One-time code by default',
        config_parameter='esign_municipal.otp_required_default',
        help='New signers must enter a code sent to their email address before they see the '
             'documents (email authentication). It can be changed per signer. Signing logged in with a '
             'portal account always asks for the code.',
    )
    esign_otp_length = fields.Integer(
        string='One-time code length',
        config_parameter='esign_municipal.otp_length', default=OTP_DEFAULTS['length'],
        help='Number of digits of the one-time code (6 to 10).',
    )
    esign_otp_attempts = fields.Integer(
        string='One-time code attempts',
        config_parameter='esign_municipal.otp_attempts', default=OTP_DEFAULTS['attempts'],
        help='Wrong entries allowed before the code is locked and the signer must ask for a new one (1 to 10).',
    )
    esign_otp_minutes = fields.Integer(
        string='One-time code validity (minutes)',
        config_parameter='esign_municipal.otp_minutes', default=OTP_DEFAULTS['minutes'],
        help='How long a one-time code can be used after it was sent (1 to 60 minutes).',
    )

    # -- the font of visible stamps and filled text ------------------------------------
    # One of the Japanese fonts installed on the server, or the path of another
    # font file; checked when saved, so that signing never meets a font that
    # cannot draw Japanese.

    esign_font_choice = fields.Selection(
        selection='_esign_font_selection', string='Font for stamps and filled text',
        help='The font that draws visible stamps (the name and date of the signer) and the text signers '
             'type into fields. The Japanese fonts installed on the server are listed; choose "Another font '
             'file" to give the path of a TrueType or OpenType font.',
    )
    esign_font_path = fields.Char(
        string='Font file', config_parameter=FONT_PARAM,
        help='Full path, on the Odoo server, of a TrueType or OpenType font file with Japanese characters '
             '(.ttf, .otf, or .ttc followed by #N for its face N). It is checked when you save.',
    )

    # -- the archive -----------------------------------------------------------------------

    esign_renewal_months = fields.Integer(
        string='Renew archive timestamps (months before expiry)',
        config_parameter='esign_municipal.renewal_months', default=12,
        help='An archived document gets a renewal timestamp (延長タイムスタンプ) when the certificate of the '
             'authority that made its newest timestamp expires within this many months.')
    esign_public_verification = fields.Boolean(
        string='Public signature verification page',
        config_parameter='esign_municipal.public_verification',
        help='Anyone, without logging in, can upload a signed PDF at /esign/verify and read the signature '
             'report. Every upload is logged; the files are not kept.')

    # -- staff security (README, 'Staff access') ----------------------------------------

    esign_staff_mfa_required = fields.Boolean(
        string='Require two-factor authentication for staff',
        config_parameter=MFA_PARAM,
        help='Staff of Electronic Contracts (users, auditors, administrators) must enable '
             'two-factor authentication (an authenticator app) in their profile. Until they '
             'do, they see no Electronic Contracts menu and cannot open any contract.',
    )
    esign_staff_ip_allowlist = fields.Char(
        string='Staff IP allow-list',
        config_parameter=IP_ALLOWLIST_PARAM,
        help='Addresses from which staff of Electronic Contracts may use Odoo: IPv4 or IPv6 '
             'networks in CIDR form (192.0.2.0/24, 2001:db8::/32) or single addresses, '
             'separated by commas. Empty: no restriction. Contractors signing through '
             'their link are never restricted. Every refused request is logged.',
    )
    esign_current_address = fields.Char(
        string='Your current address',
        compute='_compute_esign_current_address',
        help='The address Odoo sees for you now; keep it in the allow-list.',
    )

    # -- computes and checks -----------------------------------------------------------

    @api.model
    def _esign_font_selection(self):
        return font_catalog.installed_japanese_fonts() + [(OTHER_FONT, self.env._('Another font file'))]

    def _compute_esign_current_address(self):
        for settings in self:
            settings.esign_current_address = client_address() or False

    @api.constrains('esign_otp_length', 'esign_otp_attempts', 'esign_otp_minutes')
    def _check_esign_otp_settings(self):
        labels = {'length': self.env._('One-time code length'), 'attempts': self.env._('One-time code attempts'),
                  'minutes': self.env._('One-time code validity (minutes)')}
        for settings in self:
            for key, (low, high) in OTP_BOUNDS.items():
                value = settings[f'esign_otp_{key}']
                if not low <= value <= high:
                    raise ValidationError(self.env._('%(setting)s must be between %(low)s and %(high)s.',
                                                     setting=labels[key], low=low, high=high))

    @api.constrains('esign_font_choice', 'esign_font_path')
    def _check_esign_font(self):
        for settings in self:
            spec = settings._esign_font_spec()
            if spec:
                settings._esign_check_font_spec(spec)

    @api.constrains('esign_staff_ip_allowlist')
    def _check_esign_staff_ip_allowlist(self):
        for settings in self:
            try:
                networks = parse_allowlist(settings.esign_staff_ip_allowlist or '')
            except AllowListError as error:
                raise ValidationError(self._esign_allowlist_message(error)) from None
            # Saving a list that shuts out the person saving it would lock
            # them out of Odoo at once (recovery: README, 'Staff access').
            address = client_address()
            if networks and address and self.env.user._esign_is_staff() and not is_allowed(address, networks):
                raise ValidationError(self.env._(
                    "Your own address %(address)s is not in the staff IP allow-list: saving it "
                    "would lock you out of Odoo at once. Add %(address)s (or its network) to the "
                    "list, or save it from an address inside the list.", address=address))

    @api.onchange('esign_font_choice')
    def _onchange_esign_font_choice(self):
        if self.esign_font_choice and self.esign_font_choice != OTHER_FONT:
            self.esign_font_path = self.esign_font_choice

    # -- reading and saving -------------------------------------------------------------

    @api.model
    def get_values(self):
        res = super().get_values()
        # (default_get reads the system parameters only after get_values)
        spec = self.env['ir.config_parameter'].sudo().get_param(FONT_PARAM) or font_catalog.default_font_spec()
        installed = dict(font_catalog.installed_japanese_fonts())
        res['esign_font_choice'] = spec if spec in installed else OTHER_FONT
        return res

    def set_values(self):
        """Saves the checked font and the canonical allow-list, and logs every
        change of an e-contract setting in the operation log (what changed,
        before and after; secrets only as "changed")."""
        # What is saved is the font that was checked (and the operation log
        # records it). The default font shown while none was chosen stays
        # unsaved, so that saving other settings changes no font.
        saved = self.env['ir.config_parameter'].sudo().get_param(FONT_PARAM)
        for settings in self:
            spec = settings._esign_font_spec()
            if not saved and spec == font_catalog.default_font_spec():
                spec = False
            settings.esign_font_path = spec or False
        # Only what set_values saves (a system parameter or a company field):
        # a helper of the form (the font list) is not a setting of its own.
        names = [name for name, field in self._fields.items()
                 if name.startswith('esign_') and field.type in SIMPLE_TYPES and not field.readonly
                 and (getattr(field, 'config_parameter', None) or field.related)]
        before = self.create({}) if names else None
        previous = {name: _plain(before[name]) for name in names} if before else {}
        # Store the canonical form, so that what is shown is what is enforced.
        for settings in self:
            settings.esign_staff_ip_allowlist = normalize_allowlist(settings.esign_staff_ip_allowlist or '')
        super().set_values()
        changes = {}
        for name in names:
            old, new = previous.get(name), _plain(self[name])
            if old != new:
                secret = any(word in name for word in SECRET_WORDS)
                changes[name] = {'before': '***' if secret else old, 'after': '***' if secret else new}
        if changes:
            self.env['esign.operation.log']._esign_record('settings', res_model='res.config.settings',
                                                          changes=changes)

    # -- helpers ------------------------------------------------------------------------

    def _esign_font_spec(self):
        """The font these settings save: the listed font chosen, else the path typed."""
        self.ensure_one()
        if self.esign_font_choice and self.esign_font_choice != OTHER_FONT:
            return self.esign_font_choice
        return (self.esign_font_path or '').strip()

    def _esign_check_font_spec(self, spec):
        """The family name of the font `spec` names, or a ValidationError saying what is wrong with it."""
        try:
            return font_catalog.check_font(spec)
        except font_catalog.FontRejected as exc:
            path, face = font_catalog.split_spec(spec)
            _ = self.env._
            messages = {
                'missing': _('There is no font file at “%(path)s” on the Odoo server. Give the full path of a '
                             'TrueType or OpenType font file (.ttf, .otf or .ttc), for example '
                             '/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf.', path=path),
                'not_font': _('“%(path)s” is not a TrueType or OpenType font, or has no face %(face)s. Choose a '
                              '.ttf, .otf or .ttc font file.', path=path, face=face),
                'no_japanese': _('The font “%(path)s” has no Japanese characters (it lacks %(chars)s): stamps and '
                                 'filled text would show gaps. Choose a Japanese font such as IPAex Mincho, IPAex '
                                 'Gothic or Noto Sans CJK JP.', path=path, chars=exc.missing_chars),
            }
            raise ValidationError(messages[exc.code]) from None

    def _esign_allowlist_message(self, error):
        if error.code == 'host_bits':
            return self.env._(
                "“%(entry)s” in the staff IP allow-list is an address with a network size, not a "
                "network. Write the network (%(suggestion)s) or the single address without "
                "“/”.", entry=error.entry, suggestion=error.suggestion)
        return self.env._(
            "“%(entry)s” in the staff IP allow-list is not an IPv4 or IPv6 address or network. "
            "Write networks like 192.0.2.0/24 or 2001:db8::/32, or single addresses, separated "
            "by commas.", entry=error.entry)


def _plain(value):
    if isinstance(value, models.BaseModel):
        return value.display_name or False
    return value or False
