from odoo import api, models


class EsignAccessRefusal(models.Model):
    """Refused staff requests (outside the IP allow-list, no two-factor
    authentication) also go into the operation log, through the one method
    that writes refusals. It runs in a transaction of its own after the
    refused request's was rolled back, so the log row is kept."""
    _inherit = 'esign.access.refusal'

    @api.model
    def _esign_log_refusal(self, values_list):
        refusals = super()._esign_log_refusal(values_list)
        Log = self.env['esign.operation.log']
        for values in values_list:
            user = self.env['res.users'].browse(values.get('user_id')).exists()
            Log._esign_record(
                'access_refused', user=user or None, company=user.company_id or None,
                request_info={'ip': values.get('ip_address'), 'user_agent': values.get('user_agent')},
                res_model=values.get('res_model') or None, reason=values.get('reason'), login=values.get('login'),
                path=values.get('path'))
        return refusals
