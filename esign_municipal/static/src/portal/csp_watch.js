/** @odoo-module ignore **/
/* Reports on the console anything the Content-Security-Policy of the signing
 * pages blocks: a broken page then says why, and browser tests fail on it.
 * Loaded first in <head>, before any inline script: a plain script, not an
 * Odoo module, so that it runs before Odoo's module loader. */
document.addEventListener("securitypolicyviolation", (event) => {
    console.error(
        `Content-Security-Policy blocked ${event.blockedURI || "inline code"} (${event.violatedDirective})`
    );
});
