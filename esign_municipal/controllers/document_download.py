from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import content_disposition, request

from ..wizard.request_info import backoffice_request_info

# Who may read documents at all; record rules then decide which ones.
READER_GROUPS = ('esign_municipal.group_esign_user', 'esign_municipal.group_esign_auditor')


class EsignDocumentDownload(http.Controller):
    """Back-office download of a document's original or current (signed) PDF.

    Goes through the ORM as the logged-in user, so record rules decide who
    may download, and every download passes the envelope's log hook. The
    links on a purchase order's chatter lead here too.
    """

    @http.route('/esign/document/<int:document_id>/<string:kind>', type='http', auth='user', methods=['GET'])
    def download(self, document_id, kind, **kwargs):
        if kind not in ('original', 'current'):
            raise NotFound()
        user = request.env.user
        if not any(user.has_group(group) for group in READER_GROUPS):
            # Answered before looking at the document, the same for every id:
            # says what is missing without telling whether the document exists.
            raise Forbidden(request.env._(
                'Opening the documents of Electronic Contracts requires the rights of an E-Contract User or '
                'E-Contract Auditor. Ask your administrator for them.'))
        document = request.env['esign.document'].browse(document_id)
        try:
            document.check_access('read')
        except (AccessError, MissingError):
            raise NotFound() from None
        # A user who may see the document gets the vault's own message when it
        # cannot be read (missing or wrong key-encryption key, altered file):
        # Odoo answers a UserError with 400 and that message, never a 404 that
        # would send the officer looking for a document that is there.
        data = document._read_pdf(kind)
        document.envelope_id.sudo()._esign_log(
            'download', document=document, request_info=backoffice_request_info(), kind=kind)
        return request.make_response(data, headers=[
            ('Content-Type', 'application/pdf'),
            ('Content-Disposition', content_disposition(document._esign_file_name(kind))),
            ('Cache-Control', 'no-store'),
            ('X-Content-Type-Options', 'nosniff'),
        ])
