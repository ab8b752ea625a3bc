"""The signing portal: what a contractor (or an internal approver) opens from the mail.

GET  /esign/sign/<signer>/<token>      emailed link: token -> session grant, redirect
GET  /esign/sign/<signer>              the page: one-time code, documents and checklist, or status
GET  /esign/sign/<signer>/document/<d>/pdf   a document's current PDF, for the viewer (PDF.js)
POST /esign/sign/<signer>/otp/send     mail a one-time code
POST /esign/sign/<signer>/otp/verify   check it
POST /esign/sign/<signer>/complete     fill the fields and sign (idempotent)
POST /esign/sign/<signer>/decline      decline with a reason (差し戻し)

Every POST needs Odoo's CSRF token (bound to the session); bodies are
capped at MAX_BODY. All pages carry the security headers of portal_access.
"""
from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from ..models.esign_signer import SigningServiceError
from . import portal_access
from .portal_access import request_info, secure_headers, set_language
from .portal_base import EsignPortalMixin

MAX_BODY = 64 * 1024
SIGN_TEMPLATE = 'esign_municipal.portal_sign_page'
OTP_TEMPLATE = 'esign_municipal.portal_otp_page'
FLASH_KEY = 'esign_flash'


class EsignSigningPortal(EsignPortalMixin, http.Controller):

    # -- opening -----------------------------------------------------------------

    @http.route('/esign/sign/<int:signer_id>/<string:token>', type='http', auth='public', methods=['GET'],
                sitemap=False)
    def open_sign_link(self, signer_id, token, **kwargs):
        return self._esign_open_link(signer_id, token, 'sign', self._esign_sign_link_used_up)

    def _esign_sign_link_used_up(self, signer):
        state = signer._esign_portal_state()
        return self._esign_status(signer, 'link_used' if state == 'open' else state, status=404)

    @http.route('/esign/sign/<int:signer_id>', type='http', auth='public', methods=['GET'], sitemap=False)
    def sign_page(self, signer_id, lang=None, **kwargs):
        access = portal_access.resolve(signer_id, 'sign')
        if not access:
            return self._esign_not_found()
        set_language(access.signer, lang)
        signer = access.signer
        state = signer._esign_portal_state()
        if state != 'open':
            return self._esign_status(signer, state)
        if not access.usable:
            return self._esign_status(signer, 'link_used', status=404)
        if access.needs_otp:
            return self._esign_otp_page(access)
        # Each document is logged as viewed when the viewer fetches it (document_pdf).
        return self._esign_sign_page(access)

    def _esign_open_access(self, signer_id):
        """The access of a visitor who may act on the signing page now, or None."""
        access = portal_access.resolve(signer_id, 'sign')
        if not access or not access.usable or access.signer._esign_portal_state() != 'open':
            return None
        return access

    def _esign_acting_access(self, signer_id):
        """(access, None) for a visitor who may complete or decline now, else
        (None, the answer): unknown visitors get 'not found'; a replayed or late
        request goes back to the page, which says where things stand (signed
        once, never twice)."""
        access = portal_access.resolve(signer_id, 'sign')
        if not access:
            return None, self._esign_not_found()
        set_language(access.signer)
        if access.signer._esign_portal_state() != 'open' or not access.usable or access.needs_otp:
            return None, self._esign_back(signer_id)
        return access, None

    def _esign_back(self, signer_id):
        return self._esign_redirect(f'/esign/sign/{signer_id}')

    # -- the page with the documents -----------------------------------------------

    def _esign_sign_page(self, access, error=None, entered=None, decline_error=None, status=200):
        signer = access.signer
        documents = signer._esign_portal_documents(entered)
        filled, required = signer._esign_portal_counts(documents)
        return self._esign_render(SIGN_TEMPLATE, {
            'page_path': f'/esign/sign/{signer.id}',
            'signer': signer,
            'envelope': signer.envelope_id,
            'documents': documents,
            'filled': filled,
            'required': required,
            'item_count': sum(len(doc['fields']) for doc in documents),
            'error': error,
            'decline_error': decline_error,
        }, status=status)

    @http.route('/esign/sign/<int:signer_id>/document/<int:document_id>/pdf', type='http', auth='public',
                methods=['GET'], sitemap=False)
    def document_pdf(self, signer_id, document_id, **kwargs):
        access = self._esign_open_access(signer_id)
        if not access or access.needs_otp:
            return self._esign_not_found()
        envelope = access.signer.envelope_id
        document = envelope.document_ids.filtered(lambda d: d.id == document_id)
        if not document:
            return self._esign_not_found()
        try:
            data = document._read_pdf('current')
        except UserError as exc:
            return self._esign_service_error(access.signer, exc, 'document', access)
        envelope._esign_log('view', signer=access.signer, document=document, request_info=request_info(access))
        response = request.make_response(data, headers=[
            ('Content-Type', 'application/pdf'),
            ('Content-Disposition', 'inline'),
        ])
        return secure_headers(response)

    @http.route('/esign/sign/<int:signer_id>/complete', type='http', auth='public', methods=['POST'],
                sitemap=False, max_content_length=MAX_BODY)
    def complete(self, signer_id, **post):
        access, answer = self._esign_acting_access(signer_id)
        if answer:
            return answer
        values = {key[len('field_'):]: value for key, value in post.items() if key.startswith('field_')}
        try:
            with request.env.cr.savepoint():
                access.signer._complete_signing(values, request_info(access))
        except SigningServiceError as exc:
            reference = self._esign_service_reference(access.signer, exc, 'signing', access)
            return self._esign_sign_page(access, error=self._esign_service_message(reference), status=503)
        except (UserError, ValidationError) as exc:
            entered = {int(key): value for key, value in values.items() if key.isdigit()}
            return self._esign_sign_page(access, error=exc.args[0], entered=entered, status=422)
        # The mailed link is used up; this session still sees the result.
        access.signer._esign_revoke_tokens('sign')
        return self._esign_back(signer_id)

    def _esign_service_message(self, reference):
        return request.env._(
            'The documents could not be signed because of a problem on our side. Nothing was signed: please try '
            'again later. If it happens again, contact the sender and quote this reference: %s', reference)

    @http.route('/esign/sign/<int:signer_id>/decline', type='http', auth='public', methods=['POST'],
                sitemap=False, max_content_length=MAX_BODY)
    def decline(self, signer_id, reason='', **post):
        access, answer = self._esign_acting_access(signer_id)
        if answer:
            return answer
        try:
            with request.env.cr.savepoint():
                access.signer._esign_decline(reason, request_info(access))
        except UserError as exc:
            return self._esign_sign_page(access, decline_error=exc.args[0], status=422)
        return self._esign_back(signer_id)

    # -- the one-time code (メール認証) -----------------------------------------------

    def _esign_otp_page(self, access, message=None, message_kind='info', status=200):
        signer = access.signer
        current = signer._esign_otp_current()
        flash = request.session.pop(FLASH_KEY, None)
        if flash and not message:
            message, message_kind = flash
        waiting = current.state == 'active' and not current._is_expired()
        return self._esign_render(OTP_TEMPLATE, {
            'page_path': f'/esign/sign/{signer.id}',
            'signer': signer,
            'envelope': signer.envelope_id,
            'masked_email': signer._esign_masked_email(),
            'code_waiting': waiting,
            'code_locked': current.state == 'locked',
            'settings': signer._esign_otp_settings(),
            'message': message,
            'message_kind': message_kind,
        }, status=status)

    def _esign_otp_access(self, signer_id):
        """(access, None) for a visitor who still has to enter a code, else (None, the answer)."""
        access = self._esign_open_access(signer_id)
        if not access:
            return None, self._esign_not_found()
        if not access.needs_otp:
            return None, self._esign_back(signer_id)
        set_language(access.signer)
        return access, None

    @http.route('/esign/sign/<int:signer_id>/otp/send', type='http', auth='public', methods=['POST'],
                sitemap=False, max_content_length=MAX_BODY)
    def otp_send(self, signer_id, **post):
        access, answer = self._esign_otp_access(signer_id)
        if answer:
            return answer
        result = access.signer._esign_otp_send(request_info(access))
        _ = request.env._
        flash = {
            'sent': (_('A new one-time code was sent to %s.', access.signer._esign_masked_email()), 'success'),
            'too_soon': (_('A code was sent a moment ago. Please check your email (and its spam folder) '
                           'before asking again.'), 'warning'),
            'limit': (_('Too many codes were requested. Please wait an hour, or contact the sender.'), 'danger'),
        }[result]
        request.session[FLASH_KEY] = flash
        return self._esign_back(signer_id)

    @http.route('/esign/sign/<int:signer_id>/otp/verify', type='http', auth='public', methods=['POST'],
                sitemap=False, max_content_length=MAX_BODY)
    def otp_verify(self, signer_id, code='', **post):
        access, answer = self._esign_otp_access(signer_id)
        if answer:
            return answer
        result, left = access.signer._esign_otp_verify(code, request_info(access))
        if result == 'ok':
            portal_access.mark_otp_verified(access)
            return self._esign_back(signer_id)
        _ = request.env._
        attempts = access.signer._esign_otp_settings()['attempts']
        message = {
            'wrong': _('The code is not correct. %s tries left.', left),
            'locked': _('The code was entered wrongly %s times, so it is locked. Send a new code to continue.',
                        attempts),
            'expired': _('This code has expired. Send a new code to continue.'),
            'no_code': _('There is no valid code. Send a new code to continue.'),
            'limit': _('Too many wrong codes were entered from your network. Please wait an hour, or contact '
                       'the sender.'),
        }[result]
        status = 429 if result == 'limit' else 200
        return self._esign_otp_page(access, message=message, message_kind='danger', status=status)
