import hashlib
import logging
import tempfile

from docutils.core import publish_parts
from markupsafe import Markup
from werkzeug.exceptions import LengthRequired, NotFound, RequestEntityTooLarge
from werkzeug.wsgi import wrap_file

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import content_disposition, request
from odoo.tools.misc import file_path

from ..models.pdf_errors import VERIFY_MAX_PDF_SIZE
from ..wizard.request_info import backoffice_request_info

_logger = logging.getLogger(__name__)

PUBLIC_VERIFICATION = 'esign_municipal.public_verification'
# The PDF, the CSRF token and the multipart framing: anything larger is
# refused (413) before its body is read.
VERIFY_MAX_BODY = VERIFY_MAX_PDF_SIZE + 64 * 1024
PDF_HEADERS = [('Content-Type', 'application/pdf'), ('Cache-Control', 'no-store'),
               ('X-Content-Type-Options', 'nosniff')]


class EsignArchiveController(http.Controller):

    # -- archived PDFs: displayed (PDF.js) or downloaded, every access logged -----------

    @http.route('/esign/archive/document/<int:document_id>/<string:mode>', type='http', auth='user',
                methods=['GET'])
    def archived_document(self, document_id, mode, **kwargs):
        if mode not in ('view', 'download'):
            raise NotFound()
        document = request.env['esign.contract.document'].browse(document_id)
        try:
            document.check_access('read')
            data = document._read_pdf()
        except (AccessError, MissingError, UserError):
            raise NotFound() from None
        contract = document.sudo().contract_id
        request.env['esign.operation.log']._esign_record(
            'view' if mode == 'view' else 'download', contract=contract, envelope=contract.envelope_id or None,
            document=document.sudo().document_id or None, request_info=backoffice_request_info(),
            file=document.sudo().name)
        disposition = content_disposition(document.sudo().name.removesuffix('.pdf') + '.pdf')
        if mode == 'view':
            disposition = disposition.replace('attachment', 'inline', 1)
        return request.make_response(data, headers=PDF_HEADERS + [('Content-Disposition', disposition)])

    @http.route('/esign/audit-certificate/<int:envelope_id>', type='http', auth='user', methods=['GET'])
    def audit_certificate(self, envelope_id, **kwargs):
        envelope = request.env['esign.envelope'].browse(envelope_id)
        try:
            envelope.check_access('read')
            data = envelope._esign_audit_certificate_pdf()
        except (AccessError, MissingError, UserError):
            raise NotFound() from None
        if not data:
            raise NotFound()
        envelope.sudo()._esign_log('download', request_info=backoffice_request_info(), file='audit_certificate')
        return request.make_response(data, headers=PDF_HEADERS + [
            ('Content-Disposition', content_disposition(f'{envelope.sudo().number}-audit-certificate.pdf'))])

    # -- the ZIP export ----------------------------------------------------------------------

    @http.route('/esign/archive/export/<int:wizard_id>', type='http', auth='user', methods=['GET'])
    def archive_export(self, wizard_id, **kwargs):
        wizard = request.env['esign.archive.export.wizard'].browse(wizard_id)
        try:
            wizard.check_access('read')
            if wizard.create_uid != request.env.user:
                raise AccessError('not yours')
        except (AccessError, MissingError):
            raise NotFound() from None
        spool = tempfile.TemporaryFile()
        wizard._esign_write_zip(spool)
        size = spool.tell()
        spool.seek(0)
        name = f'esign-archive-{wizard.create_date:%Y%m%d-%H%M%S}.zip'
        response = http.Response(wrap_file(request.httprequest.environ, spool), direct_passthrough=True,
                                 headers=[('Content-Type', 'application/zip'), ('Content-Length', str(size)),
                                          ('Content-Disposition', content_disposition(name)),
                                          ('Cache-Control', 'no-store')])
        return response

    # -- システム概要書 ------------------------------------------------------------------------

    @http.route('/esign/system-overview', type='http', auth='user', methods=['GET'])
    def system_overview(self, **kwargs):
        if not request.env.user.has_group('esign_municipal.group_esign_user') and \
                not request.env.user.has_group('esign_municipal.group_esign_auditor'):
            raise NotFound()
        with open(file_path('esign_municipal/doc/system_overview.rst'), encoding='utf-8') as handle:
            parts = publish_parts(handle.read(), writer_name='html',
                                  settings_overrides={'report_level': 5, 'halt_level': 5, 'raw_enabled': False,
                                                      'file_insertion_enabled': False, 'embed_stylesheet': False,
                                                      'doctitle_xform': False})
        values = request.env['esign.contract']._esign_overview_settings()
        return request.render('esign_municipal.system_overview_page', dict(
            values, body=Markup(parts['body'])))

    # -- 署名検証, public when the setting allows it -------------------------------------------

    @http.route('/esign/verify', type='http', auth='public', methods=['GET', 'POST'], sitemap=False,
                max_content_length=lambda controller: _verify_body_limit())
    def public_verification(self, pdf=None, lang=None, **kwargs):
        public = _as_public()
        if public and not _public_verification_enabled():
            raise NotFound()
        if lang in ('ja_JP', 'en_US'):
            request.update_context(lang=lang)
        values = {'report': None, 'error': None, 'lang': request.env.context.get('lang')}
        status = 200
        if request.httprequest.method == 'POST':
            data = pdf.read(VERIFY_MAX_PDF_SIZE + 1) if pdf else b''
            if not data:
                values['error'] = request.env._('Choose the signed PDF to verify.')
            elif len(data) > VERIFY_MAX_PDF_SIZE:
                values['error'] = request.env._('The file is larger than %s MB.', VERIFY_MAX_PDF_SIZE // (1024 * 1024))
            elif public and not _count_public_verification():
                values['error'] = request.env._(
                    'Too many files were verified from your address. Try again in an hour.')
                status = 429
            else:
                name = (pdf.filename or '')[:200] or request.env._('Uploaded PDF')
                values['report'] = self._esign_verify(name, data, public)
        response = request.render('esign_municipal.public_verification_page', values, status=status)
        response.headers['X-Content-Type-Options'] = 'nosniff'
        response.headers['Referrer-Policy'] = 'no-referrer'
        response.headers['Content-Security-Policy'] = "frame-ancestors 'self'"
        return response

    def _esign_verify(self, name, data, public):
        """The report's HTML. A municipality user's verification is an operation-log
        event; the public's (portal users included) only counts (esign.public.verification.count)."""
        verifier = request.env['esign.signature.verifier'].sudo().with_context(lang=request.env.context.get('lang'))
        html, reports = verifier._esign_verify_files([(name, data)])
        sha256 = hashlib.sha256(data).hexdigest()
        if public:
            request.env['esign.public.verification.count'].sudo()._esign_count_upload()
            _logger.info('public signature verification from %s: %s, %s bytes, sha256 %s',
                         request.httprequest.remote_addr, reports[0].verdict, len(data), sha256)
        else:
            request.env['esign.operation.log']._esign_record(
                'verify_signatures', request_info=backoffice_request_info(), file=name, verdict=reports[0].verdict,
                sha256=sha256)
        return html


def _as_public():
    """Whether the caller gets the public's page: anonymous visitors and
    portal users alike. A portal account is had for the asking (signup,
    any contact given access): it must not lift the public's limits."""
    user = request.env.user
    return user._is_public() or user.share


def _public_verification_enabled():
    enabled = request.env['ir.config_parameter'].sudo().get_param(PUBLIC_VERIFICATION)
    return str(enabled).lower() in ('1', 'true', 'yes')


def _verify_body_limit():
    """The route's max_content_length, decided before the body is read: none
    at all from the public (portal users included) while the public page is off.

    A body over the limit is refused here at once: werkzeug would still read
    it to its end to discard it, and would not limit a body sent without a
    length (chunked) at all, so such a POST is refused too."""
    limit = 0 if _as_public() and not _public_verification_enabled() else VERIFY_MAX_BODY
    httprequest = request.httprequest
    if httprequest.method == 'POST':
        if httprequest.content_length is None:
            raise LengthRequired()
        if httprequest.content_length > limit:
            raise RequestEntityTooLarge()
    return limit


def _count_public_verification():
    """Counts one public verification from the caller's address; False
    when the address used up its allowance (esign.portal.throttle)."""
    throttle = request.env['esign.portal.throttle'].sudo()
    address = request.httprequest.remote_addr or '-'
    if throttle._esign_is_blocked('verify_ip', address):
        return False
    throttle._esign_count('verify_ip', address)
    return True
