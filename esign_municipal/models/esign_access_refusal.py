import functools
import logging
import re

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError

from .request_address import client_address, client_info
from .staff_access_messages import IP_REFUSED, MFA_REQUIRED, bilingual

_logger = logging.getLogger(__name__)

# Path segments that look like access tokens (portal.mixin uses UUIDs) are
# never written to the log.
_TOKEN_LIKE = re.compile(r'[A-Za-z0-9_\-]{20,}')


class EsignAccessRefusal(models.Model):
    """One refused request of a staff member: outside the IP allow-list, or
    without two-factor authentication while it is required.

    Rows are written only by ``_esign_log_refusal`` (as superuser); nobody
    may change or delete them through the ACL; the same method writes each
    refusal into the operation log.
    """
    _name = 'esign.access.refusal'
    _description = 'Refused staff access'
    _order = 'refused_at desc, id desc'
    _rec_name = 'refused_at'

    refused_at = fields.Datetime(string='Refused at', required=True, readonly=True,
                                 default=fields.Datetime.now, index=True)
    user_id = fields.Many2one('res.users', string='User', readonly=True, ondelete='set null', index=True)
    login = fields.Char(string='Login', readonly=True,
                        help='Kept even if the user is deleted later.')
    reason = fields.Selection(
        selection=[('ip', 'Address not in the staff allow-list'),
                   ('mfa', 'Two-factor authentication not enabled')],
        string='Reason', required=True, readonly=True)
    ip_address = fields.Char(string='IP address', readonly=True)
    path = fields.Char(string='Path', readonly=True)
    res_model = fields.Char(string='Model', readonly=True,
                            help='The e-contract model the refused operation was about, if any.')
    user_agent = fields.Char(string='User agent', readonly=True)
    # Auditors see the refusals of their own companies only (ir.rule).
    company_id = fields.Many2one('res.company', string='Company', compute='_compute_company_id', store=True,
                                 readonly=True, index=True)

    @api.depends('user_id')
    def _compute_company_id(self):
        for refusal in self:
            # The user's company when refused; kept if the user is deleted later.
            refusal.company_id = refusal.user_id.company_id or refusal.company_id

    @api.model
    def _esign_refusal_values(self, reason, user, res_model=False):
        """What is known about the refused request, captured while it runs."""
        values = {
            'refused_at': fields.Datetime.now(),
            'user_id': user.id,
            'login': user.sudo().login,
            'reason': reason,
            'res_model': res_model,
        }
        client = client_info()
        if client:
            values.update({
                'ip_address': client.address,
                'path': _TOKEN_LIKE.sub('[redacted]', client.path)[:500],
                'user_agent': client.user_agent[:500],
            })
        return values

    @api.model
    def _esign_record_refusal(self, reason, user, res_model=False):
        """Log a refusal once the refused request's transaction has ended.

        The request is about to fail, and its transaction to be rolled back,
        so the row is written afterwards in a transaction of its own
        (postrollback). When the refusal was caught and the transaction
        commits instead, the row is written after the commit (postcommit;
        Odoo's test cursor does not run those, so tests exercise the
        rollback path that real refusals take).
        """
        cr = self.env.cr
        pending = cr.postrollback.data.get('esign_refusals')
        if pending is None:
            pending = cr.postrollback.data['esign_refusals'] = []
            cr.postcommit.data['esign_refusals'] = pending
            write = functools.partial(_write_pending_refusals, self.env.registry, pending)
            cr.postrollback.add(write)
            cr.postcommit.add(write)
        pending.append(self._esign_refusal_values(reason, user, res_model))

    @api.model
    def _esign_access_error(self, reason, res_model):
        """The AccessError a refused staff member gets, logged."""
        self._esign_record_refusal(reason, self.env.user, res_model)
        if reason == 'mfa':
            return AccessError(bilingual(MFA_REQUIRED))
        return AccessError(bilingual(IP_REFUSED, ip=client_address() or '-'))

    @api.model
    def _esign_log_refusal(self, values_list):
        """The one method that writes refusal rows (see the class docstring)."""
        for values in values_list:
            _logger.warning('Electronic Contracts: refused %s (uid %s) from %s on %s: %s',
                            values.get('login'), values.get('user_id'), values.get('ip_address'),
                            values.get('path') or values.get('res_model'), values.get('reason'))
        refusals = self.sudo().create(values_list)
        # The operation log keeps every refusal too. This runs in a
        # transaction of its own after the refused request's was rolled back,
        # so the log row is kept.
        Log = self.env['esign.operation.log']
        for values in values_list:
            user = self.env['res.users'].browse(values.get('user_id')).exists()
            Log._esign_record(
                'access_refused', user=user or None, company=user.company_id or None,
                request_info={'ip': values.get('ip_address'), 'user_agent': values.get('user_agent')},
                res_model=values.get('res_model') or None, reason=values.get('reason'), login=values.get('login'),
                path=values.get('path'))
        return refusals


def _write_pending_refusals(registry, pending):
    if not pending:
        return
    values_list, pending[:] = list(pending), []
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['esign.access.refusal']._esign_log_refusal(values_list)
    except Exception:
        # Never let logging hide the refusal itself from the person refused.
        _logger.exception('Electronic Contracts: could not log %s refused access(es)', len(values_list))
