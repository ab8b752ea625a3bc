/** @odoo-module **/
/**
 * Place fields on the PDF pages of an envelope or a template (back office).
 *
 * Pages are drawn with the PDF.js that ships with Odoo; every rectangle is
 * kept in PDF points, origin at the page's bottom-left corner, as the engine
 * and the database store it. The conversion to screen pixels and back goes
 * through PDF.js's own viewport (convertToViewportRectangle /
 * convertToPdfPoint), so rotated pages and offset boxes need no special case.
 */
import { Component, onMounted, onPatched, onWillStart, onWillUnmount, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { loadPDFJSAssets } from "@web/libs/pdfjs";

// Default sizes in points, by field type (a signature stamp, one line of text ...).
const DEFAULT_SIZE = {
    signature: [160, 48],
    text: [160, 20],
    date: [100, 20],
    checkbox: [14, 14],
};
const MIN_SIZE = 8;
let newFieldCounter = 0;

export class EsignFieldEditor extends Component {
    static template = "esign_municipal.FieldEditor";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.actionService = useService("action");
        const params = this.props.action.params || {};
        this.model = params.model;
        this.resId = params.res_id;
        this.pagesRef = useRef("pages");
        this.viewports = {};
        this.pdf = null;
        this.drawnKey = null;
        this.state = useState({
            loaded: false,
            data: null,
            documentId: null,
            partyId: null,
            fieldType: "signature",
            fields: [],
            selected: null,
            pages: [],
            scale: 1.25,
            dirty: false,
        });
        this.onPointerMove = this.onPointerMove.bind(this);
        this.onPointerUp = this.onPointerUp.bind(this);
        onWillStart(async () => {
            await loadPDFJSAssets();
            await this.load();
        });
        onMounted(() => this.drawPages());
        onPatched(() => this.drawPages());
        onWillUnmount(() => {
            window.removeEventListener("pointermove", this.onPointerMove);
            window.removeEventListener("pointerup", this.onPointerUp);
        });
    }

    // -- data ------------------------------------------------------------------

    async load() {
        const data = await this.orm.call(this.model, "esign_editor_load", [[this.resId]]);
        this.state.data = data;
        this.state.fields = data.fields.map((field) => ({ ...field, key: `f${field.id}` }));
        this.state.partyId = this.state.partyId || (data.parties[0] && data.parties[0].id);
        const documentIds = data.documents.map((doc) => doc.id);
        if (!documentIds.includes(this.state.documentId)) {
            this.state.documentId = documentIds[0] || null;
        }
        this.state.dirty = false;
        this.state.selected = null;
        await this.openDocument(this.state.documentId, true);
        this.state.loaded = true;
    }

    get title() {
        return this.state.data ? this.state.data.title : "";
    }

    get documents() {
        return this.state.data ? this.state.data.documents : [];
    }

    get parties() {
        return this.state.data ? this.state.data.parties : [];
    }

    get currentDocument() {
        return (this.state.data?.documents || []).find((doc) => doc.id === this.state.documentId);
    }

    get readonly() {
        return !this.state.data || this.state.data.readonly;
    }

    party(partyId) {
        return (this.state.data?.parties || []).find((party) => party.id === partyId) || {};
    }

    get fieldTypes() {
        return this.state.data?.field_types || [];
    }

    fieldsOnPage(pageNumber) {
        return this.state.fields.filter(
            (field) => field.document_id === this.state.documentId && field.page === pageNumber
        );
    }

    get selectedPosition() {
        const field = this.selectedField;
        return _t("Page %(page)s: (%(x1)s, %(y1)s) – (%(x2)s, %(y2)s) pt", {
            page: field.page,
            x1: Math.round(field.x1),
            y1: Math.round(field.y1),
            x2: Math.round(field.x2),
            y2: Math.round(field.y2),
        });
    }

    get selectedField() {
        return this.state.fields.find((field) => field.key === this.state.selected);
    }

    // -- PDF rendering ---------------------------------------------------------------

    async openDocument(documentId, force = false) {
        if (!force && documentId === this.state.documentId) {
            return;
        }
        this.state.documentId = documentId;
        this.state.selected = null;
        const doc = this.currentDocument;
        this.state.pages = [];
        this.viewports = {};
        this.drawnKey = null;
        if (!doc) {
            return;
        }
        window.Util = window.pdfjsLib.Util;
        this.pdf = await window.pdfjsLib.getDocument({ url: doc.url }).promise;
        const pages = [];
        for (let number = 1; number <= this.pdf.numPages; number++) {
            const page = await this.pdf.getPage(number);
            const viewport = page.getViewport({ scale: this.state.scale });
            this.viewports[number] = viewport;
            pages.push({ number, width: Math.floor(viewport.width), height: Math.floor(viewport.height) });
        }
        this.state.pages = pages;
    }

    async drawPages() {
        const key = `${this.state.documentId}:${this.state.scale}:${this.state.pages.length}`;
        if (!this.pdf || !this.pagesRef.el || this.drawnKey === key || !this.state.pages.length) {
            return;
        }
        this.drawnKey = key;
        for (const canvas of this.pagesRef.el.querySelectorAll("canvas[data-page]")) {
            const number = parseInt(canvas.dataset.page);
            const page = await this.pdf.getPage(number);
            const viewport = this.viewports[number];
            canvas.width = Math.floor(viewport.width);
            canvas.height = Math.floor(viewport.height);
            await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
            canvas.dataset.rendered = "1";
        }
    }

    async zoom(factor) {
        this.state.scale = Math.min(3, Math.max(0.5, this.state.scale * factor));
        await this.openDocument(this.state.documentId, true);
    }

    // -- geometry: PDF points <-> pixels of the page ---------------------------------

    boxStyle(field) {
        const viewport = this.viewports[field.page];
        if (!viewport) {
            return "display: none;";
        }
        const [a, b, c, d] = viewport.convertToViewportRectangle([field.x1, field.y1, field.x2, field.y2]);
        const left = Math.min(a, c);
        const top = Math.min(b, d);
        const color = this.party(field.party_id).color || 1;
        return `left: ${left}px; top: ${top}px; width: ${Math.abs(c - a)}px; height: ${Math.abs(d - b)}px;` +
            ` --esign-party-color: var(--esign-color-${color});`;
    }

    pdfPoint(pageNumber, event, container) {
        const bounds = container.getBoundingClientRect();
        const [x, y] = this.viewports[pageNumber].convertToPdfPoint(
            event.clientX - bounds.left,
            event.clientY - bounds.top
        );
        return { x, y };
    }

    pageBox(pageNumber) {
        const viewport = this.viewports[pageNumber];
        const [x1, y1, x2, y2] = viewport.viewBox;
        return { x1: Math.min(x1, x2), y1: Math.min(y1, y2), x2: Math.max(x1, x2), y2: Math.max(y1, y2) };
    }

    clamp(field) {
        const box = this.pageBox(field.page);
        const width = Math.min(field.x2 - field.x1, box.x2 - box.x1);
        const height = Math.min(field.y2 - field.y1, box.y2 - box.y1);
        field.x1 = Math.min(Math.max(field.x1, box.x1), box.x2 - width);
        field.y1 = Math.min(Math.max(field.y1, box.y1), box.y2 - height);
        field.x2 = field.x1 + width;
        field.y2 = field.y1 + height;
    }

    // -- interactions ------------------------------------------------------------------

    onPageClick(pageNumber, event) {
        if (this.readonly || event.target.closest(".o_esign_field_box")) {
            return;
        }
        if (!this.state.partyId) {
            this.notification.add(_t("Add a signer first."), { type: "warning" });
            return;
        }
        const point = this.pdfPoint(pageNumber, event, event.currentTarget);
        const [width, height] = DEFAULT_SIZE[this.state.fieldType];
        const typeLabel = (this.fieldTypes.find((type) => type[0] === this.state.fieldType) || [])[1];
        const field = {
            key: `new${++newFieldCounter}`,
            id: false,
            document_id: this.state.documentId,
            party_id: this.state.partyId,
            field_type: this.state.fieldType,
            label: typeLabel || "",
            required: this.state.fieldType !== "checkbox",
            page: pageNumber,
            // The click is the field's top-left corner.
            x1: point.x,
            y1: point.y - height,
            x2: point.x + width,
            y2: point.y,
        };
        this.clamp(field);
        this.state.fields.push(field);
        this.state.selected = field.key;
        this.state.dirty = true;
    }

    onFieldPointerDown(field, event, mode) {
        this.state.selected = field.key;
        if (this.readonly) {
            return;
        }
        event.preventDefault();
        event.stopPropagation();
        const container = event.currentTarget.closest(".o_esign_page");
        this.drag = {
            field,
            mode,
            container,
            start: this.pdfPoint(field.page, event, container),
            origin: { x1: field.x1, y1: field.y1, x2: field.x2, y2: field.y2 },
        };
        window.addEventListener("pointermove", this.onPointerMove);
        window.addEventListener("pointerup", this.onPointerUp);
    }

    onPointerMove(event) {
        if (!this.drag) {
            return;
        }
        const { field, mode, container, start, origin } = this.drag;
        const point = this.pdfPoint(field.page, event, container);
        if (mode === "move") {
            const dx = point.x - start.x;
            const dy = point.y - start.y;
            Object.assign(field, { x1: origin.x1 + dx, x2: origin.x2 + dx, y1: origin.y1 + dy, y2: origin.y2 + dy });
            this.clamp(field);
        } else {
            // Resize from the bottom-right handle: the top-left corner stays.
            field.x2 = Math.max(point.x, origin.x1 + MIN_SIZE);
            field.y1 = Math.min(point.y, origin.y2 - MIN_SIZE);
            const box = this.pageBox(field.page);
            field.x2 = Math.min(field.x2, box.x2);
            field.y1 = Math.max(field.y1, box.y1);
        }
        this.state.dirty = true;
    }

    onPointerUp() {
        this.drag = null;
        window.removeEventListener("pointermove", this.onPointerMove);
        window.removeEventListener("pointerup", this.onPointerUp);
    }

    updateSelected(values) {
        Object.assign(this.selectedField, values);
        this.state.dirty = true;
    }

    removeSelected() {
        this.state.fields = this.state.fields.filter((field) => field.key !== this.state.selected);
        this.state.selected = null;
        this.state.dirty = true;
    }

    async save() {
        const fields = this.state.fields.map((field) => ({
            id: field.id || false,
            document_id: field.document_id,
            party_id: field.party_id,
            field_type: field.field_type,
            label: field.label,
            required: field.required,
            page: field.page,
            x1: Math.round(field.x1 * 100) / 100,
            y1: Math.round(field.y1 * 100) / 100,
            x2: Math.round(field.x2 * 100) / 100,
            y2: Math.round(field.y2 * 100) / 100,
        }));
        await this.orm.call(this.model, "esign_editor_save", [[this.resId], fields]);
        this.notification.add(_t("Fields saved."), { type: "success" });
        await this.load();
    }

    async back() {
        if (this.state.dirty && !window.confirm(_t("Leave without saving the fields?"))) {
            return;
        }
        this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: this.model,
            res_id: this.resId,
            views: [[false, "form"]],
            target: "current",
        });
    }
}

registry.category("actions").add("esign_field_editor", EsignFieldEditor);
