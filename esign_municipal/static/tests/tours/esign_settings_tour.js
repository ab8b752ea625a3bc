/** @odoo-module */
/* Settings > 電子契約 in headless Chromium, run by tests/test_settings_tour.py:
 * the administrator (in Japanese) finds every block in one section, chooses
 * the Mincho font for stamps and saves. */
import { registry } from "@web/core/registry";

const app = ".app_settings_block[data-key='esign_municipal']";
const blocks = ["署名", "タイムスタンプ", "立会人署名鍵と文書の暗号化", "認証コード", "封筒", "保存", "セキュリティ"];

registry.category("web_tour.tours").add("esign_settings_section", {
    steps: () => [
        {
            content: "the 電子契約 tab of Settings",
            trigger: ".settings_tab .tab[data-key='esign_municipal']:contains('電子契約')",
            run: "click",
        },
        {
            content: "one section, its blocks in order",
            trigger: `${app} h2:contains('セキュリティ')`,
            run() {
                const titles = [...document.querySelectorAll(`${app} h2`)].map((h2) => h2.textContent.trim());
                if (JSON.stringify(titles) !== JSON.stringify(blocks)) {
                    throw new Error(`blocks of 電子契約: ${titles.join(", ")}`);
                }
            },
        },
        { trigger: `${app} .o_field_widget[name='esign_staff_ip_allowlist']` },
        { trigger: `${app} .o_field_widget[name='esign_key_backend']` },
        { trigger: `${app} .o_field_widget[name='esign_tsa_count']` },
        { trigger: `${app} .o_field_widget[name='esign_otp_length']` },
        {
            content: "the font for stamps: the installed Japanese fonts",
            trigger: `${app} .o_field_widget[name='esign_font_choice'] select`,
            run: "selectByLabel IPAexMincho",
        },
        {
            content: "save (the page reloads)",
            trigger: ".o_control_panel .o_form_button_save",
            run() {
                document.body.classList.add("o_esign_before_save");
                this.anchor.click();
            },
        },
        {
            trigger: "body:not(.o_esign_before_save) .settings_tab .tab[data-key='esign_municipal']",
            run: "click",
        },
        {
            content: "the chosen font is shown after saving",
            trigger: `body:not(.o_esign_before_save) ${app} .o_field_widget[name='esign_font_choice'] select`,
            run() {
                const label = this.anchor.selectedOptions[0].textContent;
                if (!label.includes("IPAexMincho")) {
                    throw new Error(`font after saving: ${label}`);
                }
            },
        },
    ],
});
