/** @odoo-module */
/* Browser journeys of the signing portal, run by tests/test_portal_tours.py in
 * headless Chromium. The Python side puts what a person would read in their
 * mailbox (the one-time code, a wrong code) into sessionStorage before the
 * tour starts. */
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");
const visible = ".o_esign_document:not([hidden])";

function setDate(value) {
    return function () {
        const input = this.anchor;
        input.value = value;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
    };
}

function noScriptRan() {
    if (window.__esignInjected) {
        throw new Error("text typed by the signer was executed as script");
    }
}

// 認証コード → three fields on two documents → 完了する → 署名手続きを完了する → done.
tours.add("esign_portal_sign_with_code", {
    steps: () => [
        {
            content: "the emailed code is asked first (メール認証)",
            trigger: ".o_esign_otp h1:contains('メール認証')",
        },
        {
            content: "type the code from the mail",
            trigger: "input.o_esign_otp_code",
            run: async (actions) => actions.edit(sessionStorage.getItem("esign_tour_code")),
        },
        {
            trigger: "button.o_esign_otp_verify:contains('認証する')",
            run: "click",
        },
        {
            content: "one tab per document",
            trigger: ".o_esign_tab:contains('1 機密保持契約書') ~ .o_esign_tab:contains('2 業務委託契約書') ~ .o_esign_tab:contains('3 送付状')",
        },
        {
            content: "PDF.js drew the pages of the first document",
            trigger: `${visible} .o_esign_page[data-page='2'][data-rendered] canvas`,
        },
        {
            content: "文書 1 (1/3)",
            trigger: `${visible} .o_esign_doc_position:contains('文書 1 (1/3)')`,
        },
        {
            content: "nothing filled yet: 完了する is disabled",
            trigger: ".o_esign_counter:contains('必須項目: 0/3')",
        },
        {
            trigger: "button.o_esign_complete:disabled:contains('完了する')",
        },
        {
            content: "拡大表示 redraws the pages larger",
            trigger: `${visible} button.o_esign_zoom_in:contains('拡大表示')`,
            run: function (actions) {
                sessionStorage.setItem("esign_tour_width", document.querySelector(`${visible} .o_esign_page`).offsetWidth);
                return actions.click();
            },
        },
        {
            trigger: `${visible} .o_esign_zoom_level:contains('125%')`,
        },
        {
            trigger: `${visible} .o_esign_page[data-page='1'][data-rendered]`,
            run: function () {
                const before = Number(sessionStorage.getItem("esign_tour_width"));
                if (!(this.anchor.offsetWidth > before * 1.2)) {
                    throw new Error(`zoom did not enlarge the page (${before} -> ${this.anchor.offsetWidth})`);
                }
            },
        },
        {
            content: "the checklist lists the signature and the three inputs",
            trigger: ".o_esign_checklist:contains('チェックリスト'):contains('署名 1'):contains('テキスト入力 1'):contains('テキスト入力 2'):contains('日付 1')",
        },
        {
            content: "the list leads to the first text field, drawn on page 1",
            trigger: ".o_esign_item:contains('テキスト入力 1') .o_esign_item_go",
            run: "click",
        },
        {
            trigger: `${visible} .o_esign_page[data-page='1'] .o_esign_field input[type='text']`,
            run: "edit 株式会社デモ建設<img src=x onerror=window.__esignInjected=1><script>window.__esignInjected=1</script>",
        },
        {
            trigger: ".o_esign_counter:contains('必須項目: 1/3')",
        },
        {
            content: "the date field sits on page 2 of the same document",
            trigger: ".o_esign_item:contains('日付 1') .o_esign_item_go",
            run: "click",
        },
        {
            trigger: `${visible} .o_esign_page[data-page='2'] .o_esign_field input[type='date']`,
            run: setDate("2026-04-01"),
        },
        {
            content: "the list switches to the second document's tab",
            trigger: ".o_esign_item:contains('テキスト入力 2') .o_esign_item_go",
            run: "click",
        },
        {
            trigger: ".o_esign_tab[aria-selected='true']:contains('業務委託契約書')",
        },
        {
            trigger: `${visible} .o_esign_page[data-page='1'][data-rendered] .o_esign_field input[type='text']`,
            run: "edit 山田 太郎",
        },
        {
            content: "every required field filled: 完了する is active",
            trigger: ".o_esign_counter:contains('必須項目: 3/3')",
            run: noScriptRan,
        },
        {
            trigger: "button.o_esign_complete:enabled:contains('完了する')",
            run: "click",
        },
        {
            content: "a confirmation comes first",
            trigger: "dialog.o_esign_confirm[open] button.o_esign_confirm_submit:contains('署名手続きを完了する')",
            run: "click",
        },
        {
            content: "success page",
            trigger: ".o_esign_status[data-state='signed'] h1:contains('署名手続きが完了しました')",
            run: noScriptRan,
        },
    ],
});

// 差し戻し with a reason, on a phone-sized screen, in English.
tours.add("esign_portal_decline", {
    steps: () => [
        {
            trigger: ".o_esign_tab:contains('1 Non-disclosure agreement')",
        },
        {
            content: "on a phone the counter and Complete stay in reach",
            trigger: ".o_esign_actionbar:contains('Required fields: 0/3'):has(button.o_esign_complete:disabled)",
            run: function () {
                const bar = this.anchor;
                if (getComputedStyle(bar).position !== "fixed") {
                    throw new Error("the action bar is not pinned on a small screen");
                }
                if (document.documentElement.scrollWidth > window.innerWidth + 1) {
                    throw new Error("the page is wider than the screen");
                }
            },
        },
        {
            trigger: `${visible} .o_esign_page[data-rendered] canvas`,
        },
        {
            trigger: "button.o_esign_decline_open:contains('Decline')",
            run: "click",
        },
        {
            trigger: "dialog.o_esign_decline_dialog[open] textarea[name='reason']",
            run: "edit The amount is wrong <b>please fix</b>",
        },
        {
            trigger: "dialog.o_esign_decline_dialog[open] button.o_esign_decline_submit",
            run: "click",
        },
        {
            trigger: ".o_esign_status[data-state='declined'] h1:contains('You declined this envelope')",
        },
    ],
});

// Five wrong codes: locked, with a way to get a new code.
tours.add("esign_portal_code_lockout", {
    steps: () => [
        ...[1, 2, 3, 4, 5].flatMap((attempt) => [
            {
                content: `wrong code, attempt ${attempt}`,
                trigger: "input.o_esign_otp_code",
                run: async (actions) => actions.edit(sessionStorage.getItem("esign_tour_wrong_code")),
            },
            {
                trigger: "button.o_esign_otp_verify",
                run: "click",
            },
            {
                trigger:
                    attempt < 5
                        ? `.o_esign_message:contains('あと ${5 - attempt} 回入力できます')`
                        : ".o_esign_message:contains('ロックされました')",
            },
        ]),
        {
            content: "no code field any more, only a new code",
            trigger: ".o_esign_locked:contains('認証コードはロックされています'):not(:has(input))",
        },
        {
            trigger: ".o_esign_otp:not(:has(input.o_esign_otp_code)) button.o_esign_otp_send:contains('認証コードを送信する')",
            run: "click",
        },
        {
            trigger: ".o_esign_message:contains('新しい認証コードを')",
        },
        {
            trigger: "input.o_esign_otp_code",
        },
    ],
});

// Status pages: the expired envelope, and the download link on day 15.
tours.add("esign_portal_expired_envelope", {
    steps: () => [
        {
            trigger: ".o_esign_status[data-state='expired'] h1:contains('この封筒は有効期限が切れています')",
        },
        {
            trigger: ".o_esign_contact:contains('この文書に関するお問い合わせ先')",
        },
    ],
});

tours.add("esign_portal_download_expired", {
    steps: () => [
        {
            trigger: ".o_esign_status[data-state='download_expired'] h1:contains('ダウンロード有効期間が終了しました')",
        },
        {
            content: "how to get a copy: the sender, or logging in",
            trigger: ".o_esign_status:contains('送信者にご依頼ください') a[href^='/web/login']",
        },
        {
            trigger: ".o_esign_contact a[href^='mailto:']",
        },
    ],
});
