"""/my: a contractor with a portal account sees their envelopes (to sign, completed).

Portal users have no access rights on the e-contract models: the list is read
as superuser, limited to the signers the logged-in user is (their contact, and
the address the request was sent to: esign.signer._esign_logged_in_domain).
Rows link to the signing page or to the download page, which let the same
logged-in user in without a token (controllers/portal_access.py).
"""
from odoo.http import request, route

from odoo.addons.portal.controllers.portal import CustomerPortal, pager as portal_pager

from ..models.esign_envelope import OPEN_STATES

MY_TEMPLATE = 'esign_municipal.portal_my_envelopes'


class EsignCustomerPortal(CustomerPortal):

    def _esign_my_filters(self):
        _ = request.env._
        mine = request.env['esign.signer']._esign_logged_in_domain(request.env.user) + [
            ('envelope_id.state', '!=', 'draft')]
        return {
            'to_sign': {'label': _('To sign'), 'domain': mine + [
                ('state', '=', 'invited'), ('envelope_id.state', 'in', OPEN_STATES)]},
            'completed': {'label': _('Completed'), 'domain': mine + [('envelope_id.state', '=', 'completed')]},
            'all': {'label': _('All'), 'domain': mine},
        }

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if 'esign_to_sign_count' in counters or 'esign_completed_count' in counters:
            filters = self._esign_my_filters()
            Signer = request.env['esign.signer'].sudo()
            values['esign_to_sign_count'] = Signer.search_count(filters['to_sign']['domain'])
            values['esign_completed_count'] = Signer.search_count(filters['completed']['domain'])
        return values

    @route(['/my/esign', '/my/esign/page/<int:page>'], type='http', auth='user', website=True)
    def portal_my_envelopes(self, page=1, filterby=None, **kwargs):
        filters = self._esign_my_filters()
        filterby = filterby if filterby in filters else 'to_sign'
        Signer = request.env['esign.signer'].sudo()
        domain = filters[filterby]['domain']
        pager = portal_pager(url='/my/esign', url_args={'filterby': filterby}, total=Signer.search_count(domain),
                             page=page, step=self._items_per_page)
        signers = Signer.search(domain, order='id desc', limit=self._items_per_page, offset=pager['offset'])
        values = self._prepare_portal_layout_values()
        values.update({
            'page_name': 'esign',
            'signers': signers,
            'pager': pager,
            'searchbar_filters': filters,
            'filterby': filterby,
            'default_url': '/my/esign',
        })
        return request.render(MY_TEMPLATE, values)
