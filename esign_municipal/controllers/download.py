"""The download page of the completion mail (「電子署名完了のお知らせ」 → ダウンロード).

GET /esign/download/<signer>/<token>         emailed link: token -> session grant, redirect
GET /esign/download/<signer>                 the signed documents and the audit certificate
GET /esign/download/<signer>/document/<d>    one signed PDF
GET /esign/download/<signer>/certificate     the audit certificate (合意締結証明書), when there is one

The link works for the download period (Settings, 14 days by default) after
completion; then the page explains how to get a copy. A logged-in contractor
(portal user) or approver keeps access through /my without a time limit.
"""
from odoo import http
from odoo.exceptions import UserError
from odoo.http import content_disposition, request

from . import portal_access
from .portal_access import request_info, secure_headers, set_language
from .portal_base import EsignPortalMixin

DOWNLOAD_TEMPLATE = 'esign_municipal.portal_download_page'


class EsignDownloadPortal(EsignPortalMixin, http.Controller):

    @http.route('/esign/download/<int:signer_id>/<string:token>', type='http', auth='public', methods=['GET'],
                sitemap=False)
    def open_download_link(self, signer_id, token, **kwargs):
        return self._esign_open_link(signer_id, token, 'download', self._esign_download_expired)

    def _esign_download_expired(self, signer):
        if signer.envelope_id.state != 'completed':
            return self._esign_status(signer, signer._esign_portal_state(), status=404)
        return self._esign_status(signer, 'download_expired', status=404)

    def _esign_download_access(self, signer_id):
        """(access, None) when the visitor may download now, else (None, response to send)."""
        access = portal_access.resolve(signer_id, 'download')
        if not access:
            return None, self._esign_not_found()
        set_language(access.signer)
        if access.signer.envelope_id.state != 'completed':
            return None, self._esign_status(access.signer, access.signer._esign_portal_state(), status=404)
        if not access.usable:
            return None, self._esign_download_expired(access.signer)
        return access, None

    @http.route('/esign/download/<int:signer_id>', type='http', auth='public', methods=['GET'], sitemap=False)
    def download_page(self, signer_id, lang=None, **kwargs):
        access, refusal = self._esign_download_access(signer_id)
        if refusal:
            return refusal
        set_language(access.signer, lang)
        envelope = access.signer.envelope_id
        try:
            has_certificate = bool(envelope._esign_audit_certificate_pdf())
        except UserError as exc:
            return self._esign_service_error(access.signer, exc, 'download page', access)
        envelope._esign_log('view', signer=access.signer, request_info=request_info(access), page='download')
        return self._esign_render(DOWNLOAD_TEMPLATE, {
            'page_path': f'/esign/download/{access.signer.id}',
            'signer': access.signer,
            'envelope': envelope,
            'documents': envelope.document_ids.sorted(lambda d: (d.sequence, d.id)),
            'has_certificate': has_certificate,
            'valid_until': access.expires_at and access.signer._esign_jst_display(access.expires_at),
        })

    @http.route('/esign/download/<int:signer_id>/document/<int:document_id>', type='http', auth='public',
                methods=['GET'], sitemap=False)
    def download_document(self, signer_id, document_id, **kwargs):
        access, refusal = self._esign_download_access(signer_id)
        if refusal:
            return refusal
        envelope = access.signer.envelope_id
        document = envelope.document_ids.filtered(lambda d: d.id == document_id)
        if not document:
            return self._esign_not_found()
        try:
            data = document._read_pdf('current')
        except UserError as exc:
            return self._esign_service_error(access.signer, exc, 'download', access)
        envelope._esign_log('download', signer=access.signer, document=document, request_info=request_info(access),
                            kind='current')
        return self._esign_file(data, document._esign_file_name('current'))

    @http.route('/esign/download/<int:signer_id>/certificate', type='http', auth='public', methods=['GET'],
                sitemap=False)
    def download_certificate(self, signer_id, **kwargs):
        access, refusal = self._esign_download_access(signer_id)
        if refusal:
            return refusal
        envelope = access.signer.envelope_id
        try:
            data = envelope._esign_audit_certificate_pdf()
        except UserError as exc:
            return self._esign_service_error(access.signer, exc, 'certificate', access)
        if not data:
            return self._esign_not_found()
        envelope._esign_log('download', signer=access.signer, request_info=request_info(access), kind='certificate')
        return self._esign_file(data, envelope._esign_audit_certificate_filename())

    def _esign_file(self, data, filename):
        response = request.make_response(data, headers=[
            ('Content-Type', 'application/pdf'),
            ('Content-Disposition', content_disposition(filename)),
        ])
        return secure_headers(response)
