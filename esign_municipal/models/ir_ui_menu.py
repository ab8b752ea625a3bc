from odoo import api, models, tools

from .esign_access_guard import ESIGN_MODEL_PREFIX

# Where an action menu's model is kept, per action type.
_ACTION_MODEL_FIELD = {
    'ir.actions.act_window': 'res_model',
    'ir.actions.report': 'model',
    'ir.actions.server': 'model_name',
}


class IrUiMenu(models.Model):
    _inherit = 'ir.ui.menu'

    def _filter_visible_menus(self):
        """Staff who must enable two-factor authentication first see no
        e-contract menu. Filtered here, after Odoo's visibility cache (keyed
        on groups only, so it must not depend on one user's TOTP state);
        the per-user menu caches above this are cleared by Odoo when a
        user's TOTP secret or a configuration parameter changes."""
        menus = super()._filter_visible_menus()
        if menus and self.env.user._esign_mfa_missing():
            hidden = self._esign_menu_ids()
            menus = menus.filtered(lambda menu: menu.id not in hidden)
        return menus

    @api.model
    @tools.ormcache()
    def _esign_menu_ids(self):
        """The e-contract menus: the 電子契約 app, and any menu elsewhere
        whose action opens an esign.* model."""
        menus = self.sudo().with_context(**{'ir.ui.menu.full_list': True, 'active_test': False})
        root = self.env.ref('esign_municipal.menu_esign_root', raise_if_not_found=False)
        hidden = set(menus.search([('id', 'child_of', root.id)]).ids) if root else set()
        for menu in menus.search([('action', '!=', False)]):
            field = _ACTION_MODEL_FIELD.get(menu.action._name)
            if field and (menu.action[field] or '').startswith(ESIGN_MODEL_PREFIX):
                hidden.add(menu.id)
        return frozenset(hidden)
