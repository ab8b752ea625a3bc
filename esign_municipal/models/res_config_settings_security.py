from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.ip_allowlist import AllowListError, is_allowed, normalize_allowlist, parse_allowlist
from .request_address import client_address
from .res_users import IP_ALLOWLIST_PARAM, MFA_PARAM


class ResConfigSettings(models.TransientModel):
    """The Security block of the 電子契約 settings: staff MFA and the staff
    IP allow-list (see README, 'Staff access')."""
    _inherit = 'res.config.settings'

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

    def _compute_esign_current_address(self):
        for settings in self:
            settings.esign_current_address = client_address() or False

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

    def set_values(self):
        # Store the canonical form, so that what is shown is what is enforced.
        for settings in self:
            settings.esign_staff_ip_allowlist = normalize_allowlist(settings.esign_staff_ip_allowlist or '')
        super().set_values()
