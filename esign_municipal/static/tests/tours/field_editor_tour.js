/** @odoo-module **/
import { registry } from "@web/core/registry";

/**
 * The officer opens the field editor from a draft envelope, chooses "Text
 * input" and clicks a quarter of the way into the first page (from the left
 * and from the top); the Python side then checks the stored rectangle in PDF
 * points, bottom-left origin.
 */
registry.category("web_tour.tours").add("esign_field_editor_tour", {
    steps: () => [
        {
            trigger: "button[name='action_open_field_editor']",
            run: "click",
        },
        {
            trigger: ".o_esign_page[data-page='1'] canvas[data-rendered='1']",
        },
        {
            trigger: ".o_esign_type_text",
            run: "click",
        },
        {
            trigger: ".o_esign_page[data-page='1']",
            run() {
                const page = this.anchor;
                const bounds = page.getBoundingClientRect();
                page.dispatchEvent(new MouseEvent("click", {
                    bubbles: true,
                    clientX: bounds.left + bounds.width / 4,
                    clientY: bounds.top + bounds.height / 4,
                }));
            },
        },
        {
            trigger: ".o_esign_field_box.o_esign_field_text.o_selected",
        },
        {
            trigger: ".o_esign_field_label",
            run: "edit Company name",
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
