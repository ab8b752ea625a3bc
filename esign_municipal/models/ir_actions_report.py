import logging
import re

from markupsafe import Markup

from odoo import models
from odoo.exceptions import AccessError

from ..engine.font_catalog import SEARCHABLE_TEXT_FAMILIES, installed_searchable_text_families

_logger = logging.getLogger(__name__)

# A base address that wkhtmltopdf gives up on at once (it may not read local
# files): the report is rendered without Odoo's stylesheets.
OFFLINE_REPORT_URL = 'file:///esign-offline/'
# 合意締結証明書: made once, when the envelope is completed (as superuser),
# timestamped and kept in the vault; users download that one.
AUDIT_CERTIFICATE_TEMPLATE = 'esign_municipal.report_audit_certificate'
# Japanese in the PDFs this service makes (documents to be signed, the
# 合意締結証明書) is drawn in a font whose text is extracted as it is shown (see
# font_catalog.SEARCHABLE_TEXT_FAMILIES). The report's own font (the company's,
# for Latin text) stays first; the rule outranks the company layout's
# font-family and holds without Odoo's stylesheets.
_HEAD_OPEN = re.compile(r'<head(\s[^>]*)?>', re.IGNORECASE)  # not <header>


class IrActionsReport(models.Model):
    _inherit = 'ir.actions.report'

    def _get_report_url(self, layout=None):
        # With context esign_report_offline (see esign.envelope._esign_render_audit_certificate).
        if self.env.context.get('esign_report_offline'):
            return OFFLINE_REPORT_URL
        return super()._get_report_url(layout=layout)

    def _prepare_html(self, html, report_model=False):
        # With context esign_searchable_text (the name of the report's Latin font,
        # or True): every part wkhtmltopdf renders (bodies, header, footer) gets the style.
        prepared = super()._prepare_html(html, report_model=report_model)
        latin_font = self.env.context.get('esign_searchable_text')
        if not latin_font or not prepared:
            return prepared
        _warn_once_without_searchable_text_font()
        bodies, res_ids, header, footer, paperformat_args = prepared
        style = _searchable_text_style(latin_font if isinstance(latin_font, str) and latin_font.isidentifier()
                                       else None)
        return ([self._esign_with_style(body, style) for body in bodies], res_ids,
                self._esign_with_style(header, style), self._esign_with_style(footer, style), paperformat_args)

    def _esign_with_style(self, html, style):
        """html with `style` first in its head (at its start if it has none)."""
        head = _HEAD_OPEN.search(html)
        at = head.end() if head else 0
        result = str(html[:at]) + style + str(html[at:])  # str: Markup would escape the style
        return Markup(result) if isinstance(html, Markup) else result

    def _get_rendering_context(self, report, docids, data):
        # Every rendering route (/report/pdf, /report/html, /report/download)
        # passes here. A certificate rendered afresh would have no timestamp
        # and could be made for an envelope that is not completed.
        if report.report_name == AUDIT_CERTIFICATE_TEMPLATE and not self.env.su:
            raise AccessError(self.env._(
                'The audit certificate is made once, when the envelope is completed, and kept with its timestamp. '
                'Download it with the "Audit certificate" button of the envelope or of the archived contract.'))
        return super()._get_rendering_context(report, docids, data)


def _searchable_text_style(latin_font):
    families = [f'"{latin_font}"'] if latin_font else []
    families += [f'"{family}"' for family in SEARCHABLE_TEXT_FAMILIES] + ['sans-serif']
    return f'<style>html body, html body [class*="_layout"] {{ font-family: {", ".join(families)}; }}</style>'


_searchable_font_checked = []


def _warn_once_without_searchable_text_font():
    """Once per process: without any of those fonts the PDFs still look right, but their
    Japanese is copied, searched and read aloud wrongly; the administrator should know."""
    if _searchable_font_checked:
        return
    _searchable_font_checked.append(True)
    if not installed_searchable_text_families():
        _logger.warning(
            'None of the fonts %s is installed (Debian: fonts-morisawa-bizud-gothic): the Japanese of the audit '
            'certificates and of the order PDFs sent for signing will be extracted, searched and read aloud with '
            'radical look-alikes (⽂ for 文)', ', '.join(SEARCHABLE_TEXT_FAMILIES))
