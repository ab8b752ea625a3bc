/** @odoo-module **/
import { registry } from "@web/core/registry";

/**
 * A template manager places fields on a form already signed elsewhere: the
 * editor says that only signature fields fit; a text field is refused on
 * saving, with the server's message in a dialog, and the fields not yet
 * saved stay on the page to be corrected; a signature field is saved.
 */
function clickPage() {
    return {
        trigger: ".o_esign_page[data-page='1']",
        run() {
            const page = this.anchor;
            const bounds = page.getBoundingClientRect();
            page.dispatchEvent(new MouseEvent("click", {
                bubbles: true,
                clientX: bounds.left + bounds.width / 2,
                clientY: bounds.top + bounds.height / 2,
            }));
        },
    };
}

registry.category("web_tour.tours").add("esign_template_signed_form_tour", {
    steps: () => [
        {
            trigger: "button[name='action_open_field_editor']",
            run: "click",
        },
        {
            trigger: ".o_esign_page[data-page='1'] canvas[data-rendered='1']",
        },
        {
            trigger: ".o_esign_signed_form_note:contains('only signature fields can be placed on it')",
        },
        {
            trigger: ".o_esign_type_text",
            run: "click",
        },
        clickPage(),
        {
            trigger: ".o_esign_field_box.o_esign_field_text.o_selected",
        },
        {
            trigger: ".o_esign_save:enabled",
            run: "click",
        },
        {
            trigger: ".o_error_dialog:contains('is already signed elsewhere: only signature fields can be placed on it')",
        },
        {
            trigger: ".modal-footer .o-default-button",
            run: "click",
        },
        {
            // Nothing lost: the refused field is still there, still to be saved.
            trigger: "body:not(:has(.modal)) .o_esign_field_box.o_esign_field_text.o_selected",
        },
        {
            trigger: ".o_esign_save:enabled",
        },
        {
            trigger: ".o_esign_field_delete",
            run: "click",
        },
        {
            trigger: ".o_esign_type_signature",
            run: "click",
        },
        clickPage(),
        {
            trigger: ".o_esign_field_box.o_esign_field_signature.o_selected",
        },
        {
            trigger: ".o_esign_save:enabled",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('Fields saved')",
        },
        {
            trigger: ".o_esign_save:disabled",
        },
    ],
});
