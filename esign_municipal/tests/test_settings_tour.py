from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from ..models.res_config_settings import FONT_PARAM

MINCHO = '/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf'


@tagged('post_install', '-at_install')
class TestSettingsTour(HttpCase):
    """An administrator reading Japanese opens Settings > 電子契約 in headless
    Chromium, finds the one section, chooses a font for stamps and saves."""

    def test_the_section_in_the_browser(self):
        self.env['res.lang']._activate_lang('ja_JP')
        self.env['ir.module.module'].search(
            [('name', 'in', ('esign_timestamp', 'esign_hsm', 'esign_municipal'))])._update_translations(['ja_JP'])
        new_test_user(self.env, 'esign_manager_tour', groups='esign_municipal.group_esign_manager', lang='ja_JP')
        params = self.env['ir.config_parameter'].sudo()
        self.assertFalse(params.get_param(FONT_PARAM))
        self.start_tour('/odoo/settings', 'esign_settings_section', login='esign_manager_tour')
        self.assertEqual(params.get_param(FONT_PARAM), MINCHO)
        entry = self.env['esign.operation.log'].sudo().search([('event', '=', 'settings')], limit=1)
        self.assertIn('"esign_font_path"', entry.details)
