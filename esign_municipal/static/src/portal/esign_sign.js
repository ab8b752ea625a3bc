/** @odoo-module **/
/* The signing page (/esign/sign/<signer>): documents drawn with Odoo's bundled
 * PDF.js, this signer's fields placed over them, the checklist with its
 * 「必須項目: n/m」 counter, 完了する → 署名手続きを完了する, and 差し戻し.
 *
 * The server renders every text, input and value (escaped by QWeb); this
 * script only draws pages, positions the inputs and keeps the counter up to
 * date, so it needs no translations and never inserts HTML.
 */
const PDFJS_URL = "/web/static/lib/pdfjs/build/pdf.js";
const PDFJS_WORKER_URL = "/web/static/lib/pdfjs/build/pdf.worker.js";
let pdfjsReady = null;

/** The PDF.js that ships with Odoo, loaded once for the page. It is an ES
 * module, so it is imported dynamically; the page needs no other Odoo module
 * and starts as soon as its own bundle runs. */
function loadPdfjs() {
    if (!pdfjsReady) {
        pdfjsReady = import(PDFJS_URL).then((pdfjsLib) => {
            pdfjsLib.GlobalWorkerOptions.workerSrc = PDFJS_WORKER_URL;
            return pdfjsLib;
        });
    }
    return pdfjsReady;
}

const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
const FIT_ZOOM_INDEX = 2;
const MAX_FIT_SCALE = 1.5;
const NARROW_SCREEN = 992;

function isFilled(input) {
    return input.type === "checkbox" ? input.checked : input.value.trim() !== "";
}

/** One document tab: loads its PDF once, draws its pages, places its fields. */
class DocumentView {
    constructor(element) {
        this.element = element;
        this.pagesElement = element.querySelector(".o_esign_pages");
        this.store = element.querySelector(".o_esign_field_store");
        this.fields = [...this.store.querySelectorAll(".o_esign_field")];
        this.zoomIndex = FIT_ZOOM_INDEX;
        this.pdf = null;
        this.loading = null;
        this.renderRun = 0;
        this.renderedWidth = 0;
        element.querySelector(".o_esign_zoom_in").addEventListener("click", () => this.zoom(1));
        element.querySelector(".o_esign_zoom_out").addEventListener("click", () => this.zoom(-1));
    }

    load() {
        if (!this.loading) {
            this.loading = loadPdfjs()
                .then((pdfjsLib) =>
                    pdfjsLib.getDocument({
                        url: this.element.dataset.pdfUrl,
                        isEvalSupported: false,
                        withCredentials: true,
                        // Japanese PDFs whose fonts are not embedded need the character maps.
                        cMapUrl: "/web/static/lib/pdfjs/web/cmaps/",
                        cMapPacked: true,
                    }).promise
                )
                .then((pdf) => {
                    this.pdf = pdf;
                    return this.render();
                });
        }
        return this.loading;
    }

    async render() {
        const run = ++this.renderRun;
        // Inputs wait in the store while the pages are redrawn; they keep what was typed.
        this.store.append(...this.fields);
        const available = Math.max(this.pagesElement.clientWidth - 24, 240);
        this.renderedWidth = this.pagesElement.clientWidth;
        const zoom = ZOOM_STEPS[this.zoomIndex];
        const ratio = window.devicePixelRatio || 1;
        const pages = [];
        for (let number = 1; number <= this.pdf.numPages; number++) {
            const page = await this.pdf.getPage(number);
            if (run !== this.renderRun) {
                return;
            }
            const natural = page.getViewport({ scale: 1 });
            const viewport = page.getViewport({
                scale: Math.min(available / natural.width, MAX_FIT_SCALE) * zoom,
            });
            const pageElement = document.createElement("div");
            pageElement.className = "o_esign_page";
            pageElement.dataset.page = String(number);
            pageElement.style.width = `${viewport.width}px`;
            pageElement.style.height = `${viewport.height}px`;
            const canvas = document.createElement("canvas");
            canvas.width = Math.floor(viewport.width * ratio);
            canvas.height = Math.floor(viewport.height * ratio);
            canvas.style.width = `${viewport.width}px`;
            canvas.style.height = `${viewport.height}px`;
            pageElement.append(canvas);
            pages.push({ page, viewport, pageElement, canvas });
        }
        this.pagesElement.replaceChildren(...pages.map((entry) => entry.pageElement));
        for (const { page, viewport, pageElement, canvas } of pages) {
            await page.render({
                canvasContext: canvas.getContext("2d"),
                viewport,
                transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
            }).promise;
            if (run !== this.renderRun) {
                return;
            }
            this.placeFields(pageElement, viewport);
            pageElement.dataset.rendered = "1";
        }
        this.element.querySelector(".o_esign_zoom_level").textContent = `${Math.round(zoom * 100)}%`;
        this.element.dataset.rendered = String(run);
    }

    /** Field rectangles are PDF points from the page's bottom-left corner. */
    placeFields(pageElement, viewport) {
        for (const field of this.fields) {
            if (field.dataset.page !== pageElement.dataset.page) {
                continue;
            }
            const rect = JSON.parse(field.dataset.rect);
            const [x1, y1, x2, y2] = viewport.convertToViewportRectangle(rect);
            const height = Math.abs(y2 - y1);
            Object.assign(field.style, {
                left: `${Math.min(x1, x2)}px`,
                top: `${Math.min(y1, y2)}px`,
                width: `${Math.abs(x2 - x1)}px`,
                height: `${height}px`,
                fontSize: `${Math.max(Math.min(height * 0.6, 18), 9)}px`,
            });
            pageElement.append(field);
        }
    }

    zoom(step) {
        const next = Math.min(Math.max(this.zoomIndex + step, 0), ZOOM_STEPS.length - 1);
        if (next !== this.zoomIndex && this.pdf) {
            this.zoomIndex = next;
            this.render();
        }
    }

    refit() {
        if (this.pdf && Math.abs(this.pagesElement.clientWidth - this.renderedWidth) > 40) {
            this.render();
        }
    }
}

/** The whole page: tabs, checklist, counter, dialogs. */
class SigningPage {
    constructor(root) {
        this.root = root;
        this.views = new Map(
            [...root.querySelectorAll(".o_esign_document")].map((el) => [el.dataset.docId, new DocumentView(el)])
        );
        this.tabs = [...root.querySelectorAll(".o_esign_tab")];
        this.items = [...root.querySelectorAll(".o_esign_item")];
        this.form = document.getElementById("o_esign_form");
        this.completeButton = root.querySelector(".o_esign_complete");
        this.confirmDialog = root.querySelector(".o_esign_confirm");
        this.declineDialog = root.querySelector(".o_esign_decline_dialog");
        this.current = null;

        for (const tab of this.tabs) {
            tab.addEventListener("click", () => this.show(tab.dataset.docId));
        }
        for (const item of this.items) {
            item.querySelector(".o_esign_item_go").addEventListener("click", () => this.goTo(item));
        }
        for (const input of document.querySelectorAll('[form="o_esign_form"]')) {
            input.addEventListener("input", () => this.update());
            input.addEventListener("change", () => this.update());
        }
        this.completeButton.addEventListener("click", () => this.confirmDialog.showModal());
        root.querySelector(".o_esign_confirm_cancel").addEventListener("click", () => this.confirmDialog.close());
        this.form.addEventListener("submit", (event) => this.submitOnce(event));
        root.querySelector(".o_esign_decline_open").addEventListener("click", () => this.declineDialog.showModal());
        root.querySelector(".o_esign_decline_cancel").addEventListener("click", () => this.declineDialog.close());
        this.setUpChecklistToggle();
        window.addEventListener("resize", () => this.onResize());

        if (this.declineDialog.dataset.open) {
            this.declineDialog.showModal();
        }
        this.update();
        if (this.tabs.length) {
            this.show(this.tabs[0].dataset.docId);
        }
    }

    setUpChecklistToggle() {
        const toggle = this.root.querySelector(".o_esign_checklist_toggle");
        const body = this.root.querySelector(".o_esign_checklist_body");
        const setOpen = (open) => {
            toggle.setAttribute("aria-expanded", String(open));
            body.hidden = !open;
        };
        toggle.addEventListener("click", () => setOpen(body.hidden));
        // On a phone the documents come first; the list opens on demand.
        setOpen(window.innerWidth >= NARROW_SCREEN);
    }

    show(docId) {
        for (const tab of this.tabs) {
            tab.setAttribute("aria-selected", String(tab.dataset.docId === docId));
        }
        for (const [id, view] of this.views) {
            view.element.hidden = id !== docId;
        }
        this.current = this.views.get(docId);
        return this.current.load();
    }

    async goTo(item) {
        const inline = item.querySelector(".o_esign_field input");
        if (inline) {
            inline.focus();
            return;
        }
        await this.show(item.dataset.docId);
        const field = this.current.fields.find((el) => el.dataset.fieldId === item.dataset.fieldId);
        if (!field) {
            return;
        }
        field.scrollIntoView({ block: "center" });
        field.classList.add("o_esign_field_focus");
        setTimeout(() => field.classList.remove("o_esign_field_focus"), 1500);
        const input = field.querySelector("input");
        if (input) {
            input.focus({ preventScroll: true });
        }
    }

    update() {
        let filled = 0;
        let required = 0;
        for (const item of this.items) {
            const input = document.querySelector(`.o_esign_field[data-field-id="${item.dataset.fieldId}"] input`);
            const done = Boolean(input) && isFilled(input);
            item.classList.toggle("o_esign_item_done", done);
            if (item.dataset.required) {
                required += 1;
                filled += done ? 1 : 0;
            }
        }
        this.root.querySelector(".o_esign_count").textContent = `${filled}/${required}`;
        this.completeButton.disabled = filled < required;
    }

    submitOnce(event) {
        if (this.form.dataset.submitted) {
            event.preventDefault();
            return;
        }
        this.form.dataset.submitted = "1";
        // After the browser has taken the submission: no second one from this page.
        setTimeout(() => {
            for (const button of this.root.querySelectorAll(".o_esign_confirm_submit, .o_esign_complete")) {
                button.disabled = true;
            }
        });
    }

    onResize() {
        clearTimeout(this.resizeTimer);
        this.resizeTimer = setTimeout(() => this.current && this.current.refit(), 250);
    }
}

const root = document.querySelector(".o_esign_sign");
if (root) {
    new SigningPage(root);
}
