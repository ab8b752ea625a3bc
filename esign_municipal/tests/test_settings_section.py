import json
import re

from lxml import etree

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase, new_test_user

from ..models.res_config_settings import FONT_PARAM

MINCHO = '/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf'
GOTHIC = '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf'
NOTO_SANS_JP = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#0'
JAPANESE = re.compile(r'[\u3040-\u30ff\u4e00-\u9fff]')

# The blocks of the one 電子契約 section, in the order the administrator reads them.
BLOCKS = ['esign_signing_settings', 'esign_timestamp_settings', 'esign_key_custody_settings',
          'esign_otp_settings', 'esign_envelope_settings', 'esign_archive_settings', 'esign_security_settings']
# Every setting of the Settings page, by the field or button that carries it.
FIELDS = ['esign_tsa_count', 'esign_key_backend', 'esign_default_signature_type', 'esign_download_validity_days',
          'esign_otp_required_default', 'esign_otp_length', 'esign_otp_attempts', 'esign_reminder_interval_days',
          'esign_default_expiry_days', 'esign_font_choice', 'esign_font_path', 'esign_staff_ip_allowlist',
          'esign_staff_mfa_required']
ACTIONS = ['esign_timestamp.action_esign_tsa', 'esign_municipal.action_esign_contract_type']


@tagged('post_install', '-at_install')
class TestSettingsSection(TransactionCase):
    """Settings > 電子契約: every e-contract setting in one section, each with
    help in English and Japanese, saved by administrators only, logged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, 'esign_manager_sec', groups='esign_municipal.group_esign_manager')
        cls.officer = new_test_user(cls.env, 'esign_user_sec', groups='esign_municipal.group_esign_user')
        cls.params = cls.env['ir.config_parameter'].sudo()

    def settings_arch(self, lang='en_US'):
        views = self.env['res.config.settings'].with_user(self.manager).with_context(lang=lang).get_views(
            [(False, 'form')])
        return etree.fromstring(views['views']['form']['arch'])

    def save(self, user=None, lang='en_US', **values):
        settings = self.env['res.config.settings'].with_user(user or self.manager).with_context(lang=lang).create(
            values)
        settings.execute()
        return settings

    def test_one_section_holds_every_setting_in_order(self):
        arch = self.settings_arch()
        [app] = arch.xpath("//app[@name='esign_municipal']")
        self.assertEqual(app.get('string'), 'Electronic Contracts')
        self.assertEqual([block.get('id') or block.get('name') for block in app.iter('block')], BLOCKS)
        names = {field.get('name') for field in app.iter('field')}
        self.assertFalse(set(FIELDS) - names, 'every setting is in the section')
        action_ids = {int(button.get('name')) for button in app.iter('button') if button.get('type') == 'action'}
        for xmlid in ACTIONS:
            self.assertIn(self.env.ref(xmlid).id, action_ids, xmlid)
        # Nothing of ours is left in another app (General Settings had the timestamps and the witness key).
        elsewhere = arch.xpath("//app[@name!='esign_municipal']//*[starts-with(@name, 'esign_') or "
                               "starts-with(@id, 'esign_')]")
        self.assertFalse([node.get('name') or node.get('id') for node in elsewhere])

    def test_every_setting_has_help_in_english_and_japanese(self):
        self.env['res.lang']._activate_lang('ja_JP')
        self.env['ir.module.module'].search(
            [('name', 'in', ('esign_timestamp', 'esign_hsm', 'esign_municipal'))])._update_translations(['ja_JP'])
        english = self.settings_arch().xpath("//app[@name='esign_municipal']//setting")
        japanese = self.settings_arch('ja_JP').xpath("//app[@name='esign_municipal']//setting")
        self.assertEqual([s.get('id') for s in english], [s.get('id') for s in japanese])
        self.assertGreaterEqual(len(english), 20)
        for en, ja in zip(english, japanese):
            with self.subTest(setting=en.get('id')):
                self.assertTrue((en.get('help') or '').strip(), 'an English help text')
                self.assertRegex(ja.get('help') or '', JAPANESE, 'a Japanese help text')
        [tab] = self.settings_arch('ja_JP').xpath("//app[@name='esign_municipal']")
        self.assertEqual(tab.get('string'), '電子契約')

    def test_an_administrator_saves_and_a_user_cannot(self):
        self.save(esign_download_validity_days=21, esign_font_choice=MINCHO)
        self.assertEqual(self.params.get_param('esign_municipal.download_validity_days'), '21')
        self.assertEqual(self.params.get_param(FONT_PARAM), MINCHO)
        with self.assertRaises(AccessError):
            self.save(user=self.officer, esign_download_validity_days=3)
        self.assertEqual(self.params.get_param('esign_municipal.download_validity_days'), '21')

    def test_the_form_offers_the_installed_japanese_fonts(self):
        settings = self.env['res.config.settings'].with_user(self.manager).create({})
        choices = dict(settings._fields['esign_font_choice']._description_selection(settings.env))
        self.assertTrue(choices[MINCHO].startswith('IPAexMincho'))
        self.assertEqual(choices[NOTO_SANS_JP], 'Noto Sans CJK JP Regular')
        self.assertIn('custom', choices)
        # Nothing chosen yet: the default font is shown as the choice.
        self.assertFalse(self.params.get_param(FONT_PARAM))
        self.assertEqual(settings.esign_font_choice, GOTHIC)
        self.save(esign_otp_length=7)
        self.assertFalse(self.params.get_param(FONT_PARAM), 'saving other settings chooses no font')
        self.save(esign_font_choice=NOTO_SANS_JP)
        self.assertEqual(self.params.get_param(FONT_PARAM), NOTO_SANS_JP)
        self.assertEqual(self.env['res.config.settings'].create({}).esign_font_choice, NOTO_SANS_JP)

    def test_another_font_file_is_checked_when_saved(self):
        self.save(esign_font_choice='custom', esign_font_path=f'  {MINCHO} ')
        self.assertEqual(self.params.get_param(FONT_PARAM), MINCHO, 'saved as it was checked')
        self.assertEqual(self.env['res.config.settings'].create({}).esign_font_choice, MINCHO,
                         'an installed font typed as a path shows as that font')
        for path, expected in (
            ('/srv/fonts/missing.ttf', 'There is no font file at “/srv/fonts/missing.ttf”'),
            ('fonts/ipaexm.ttf', 'Give the full path'),
            ('/etc/hostname', '“/etc/hostname” is not a TrueType or OpenType font'),
            (NOTO_SANS_JP.replace('#0', '#42'), 'has no face 42'),
        ):
            with self.subTest(path=path), self.assertRaises(ValidationError) as caught:
                self.save(esign_font_choice='custom', esign_font_path=path, esign_download_validity_days=30)
            self.assertIn(expected, str(caught.exception))
            # nothing half-saved: neither the font nor the other setting of the same save
            self.assertEqual(self.params.get_param(FONT_PARAM), MINCHO)
            self.assertNotEqual(self.params.get_param('esign_municipal.download_validity_days'), '30')

    def test_the_refusal_is_in_japanese_for_a_japanese_administrator(self):
        self.env['res.lang']._activate_lang('ja_JP')
        self.env['ir.module.module'].search([('name', '=', 'esign_municipal')])._update_translations(['ja_JP'])
        with self.assertRaises(ValidationError) as caught:
            self.save(lang='ja_JP', esign_font_choice='custom', esign_font_path='/srv/fonts/missing.ttf')
        self.assertIn('「/srv/fonts/missing.ttf」にフォントファイルがありません', str(caught.exception))

    def test_a_font_change_is_in_the_operation_log(self):
        Log = self.env['esign.operation.log'].sudo()
        self.save(esign_font_choice=MINCHO)
        self.save(esign_font_choice='custom', esign_font_path=NOTO_SANS_JP, esign_otp_length=8)
        entry = Log.search([('event', '=', 'settings'), ('user_ref', '=', self.manager.id)], limit=1)
        self.assertEqual(entry.event_label, 'Settings changed')
        changes = json.loads(entry.details)['changes']
        self.assertEqual(changes['esign_font_path'], {'before': MINCHO, 'after': NOTO_SANS_JP})
        self.assertEqual(changes['esign_otp_length'], {'before': 6, 'after': 8})
        self.assertNotIn('esign_font_choice', changes, 'the list of fonts is a helper, not a setting')
        # Saving again without a change logs nothing more.
        count = Log.search_count([('event', '=', 'settings')])
        self.save()
        self.assertEqual(Log.search_count([('event', '=', 'settings')]), count)
