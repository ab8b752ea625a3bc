from lxml import etree

from odoo.tests import HttpCase, tagged

WAIT_FOR = """
const waitFor = async (selector) => {
    for (let attempt = 0; attempt < 100; attempt++) {
        const element = document.querySelector(selector);
        if (element) { return element; }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`not shown: ${selector}`);
};
"""


@tagged('post_install', '-at_install')
class TestSettingsPage(HttpCase):
    """The key custody block renders in the real web client (headless Chromium), wherever an app puts it."""

    def test_key_custody_settings_render(self):
        self.env.ref('base.user_admin').company_id.esign_key_backend = 'pkcs11'
        views = self.env['res.config.settings'].get_views([(False, 'form')])
        arch = etree.fromstring(views['views']['form']['arch'])
        app = arch.xpath("//block[@id='esign_key_custody_settings']/ancestor::app")[0].get('name')
        fields = ['esign_key_backend', 'esign_active_witness_key_id', 'esign_pkcs11_module', 'esign_pkcs11_token_label',
                  'esign_pkcs11_pin_source', 'esign_pkcs11_pin_env', 'esign_pkcs11_key_label', 'esign_kek_status']
        buttons = ['action_esign_test_hsm', 'action_esign_generate_hsm_key', 'action_esign_generate_hsm_kek']
        code = WAIT_FOR + f"""
        (async () => {{
            (await waitFor('.settings_tab [data-key="{app}"]')).click();
            for (const name of {fields!r}) {{ await waitFor(`.o_field_widget[name="${{name}}"]`); }}
            for (const name of {buttons!r}) {{ await waitFor(`button[name="${{name}}"]`); }}
            console.log('test successful');
        }})().catch((error) => console.error(error.message));
        """
        self.browser_js('/odoo/settings', code, login='admin')
