"""Shared by the portal tests: envelopes sent for real, links and codes read
from the real mail.mail records, requests through the real HTTP server."""
import io
import re
from contextlib import contextmanager
from unittest.mock import patch

from pyhanko.pdf_utils.reader import PdfFileReader

from odoo.tests import HttpCase

from .common import EsignCase

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
DOCUMENTS = {'Non-disclosure agreement': 2, 'Service outsourcing contract': 1, 'Cover letter': 1}
DOCUMENTS_JA = {'機密保持契約書': 2, '業務委託契約書': 1, '送付状': 1}


class PortalCase(EsignCase, HttpCase):
    """A sent envelope (3 documents; the contractor fills a text field and a
    date on document 1 and a text field on document 2, then the approver),
    and helpers to act as the contractor's browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['res.lang']._activate_lang('ja_JP')
        cls.env['ir.module.module'].search([('name', '=', 'esign_municipal')])._update_translations(['ja_JP'])

    def send_envelope(self, otp=False, lang='ja_JP', documents=None, mode='sequential', contractor=None):
        contractor = contractor or self.contractor
        contractor.lang = lang
        envelope = self.create_envelope(
            documents=documents or (DOCUMENTS_JA if lang == 'ja_JP' else DOCUMENTS), mode=mode,
            signers=[(contractor, 'contractor', 1), (self.approver.partner_id, 'municipality', 2)],
            name='電子契約サービス委託' if lang == 'ja_JP' else 'E-contract service outsourcing')
        signer, approver = envelope.signer_ids.sorted('signing_order')
        signer.otp_required = otp
        first, second = envelope.document_ids.sorted('sequence')[:2]
        Field = self.env['esign.field'].with_user(self.officer)
        self.text_field = Field.create({'document_id': first.id, 'signer_id': signer.id, 'field_type': 'text',
                                        'label': 'Company', 'page': 1, 'x1': 72, 'y1': 600, 'x2': 320, 'y2': 624})
        self.date_field = Field.create({'document_id': first.id, 'signer_id': signer.id, 'field_type': 'date',
                                        'label': 'Start', 'page': 2, 'x1': 72, 'y1': 500, 'x2': 220, 'y2': 524})
        self.second_text_field = Field.create({
            'document_id': second.id, 'signer_id': signer.id, 'field_type': 'text', 'label': 'Representative',
            'page': 1, 'x1': 300, 'y1': 400, 'x2': 520, 'y2': 424})
        envelope.with_user(self.officer).action_send()
        return envelope, signer, approver

    def filled_values(self):
        return {self.text_field.id: '株式会社デモ建設', self.date_field.id: '2026-04-01',
                self.second_text_field.id: '山田 太郎'}

    def pdf_field_values(self, document):
        """{form field name: value} of a document's current PDF."""
        reader = PdfFileReader(io.BytesIO(document._read_pdf('current')))
        return {str(ref.get_object().get('/T')): ref.get_object().get('/V')
                for ref in reader.root['/AcroForm']['/Fields']}

    # -- what the signer reads in their mailbox ---------------------------------------

    def sign_path(self, signer):
        signer_id, token = self.link_token(self.mails_to(signer).filtered(
            lambda m: '/esign/sign/' in (m.body_html or ''))[-1])
        return f'/esign/sign/{signer_id}/{token}'

    def download_path(self, signer):
        signer_id, token = self.link_token(self.mails_to(signer)[-1], 'download')
        return f'/esign/download/{signer_id}/{token}'

    def otp_mails(self, signer):
        return self.mails_to(signer).filtered(lambda m: 'letter-spacing: 6px' in (m.body_html or ''))

    def last_code(self, signer):
        match = re.search(r'letter-spacing: 6px;">(\d+)</p>', self.otp_mails(signer)[-1].body_html)
        self.assertTrue(match, 'no code in the one-time code mail')
        return match.group(1)

    # -- the browser side ------------------------------------------------------------------

    def open(self, path, **kwargs):
        return self.url_open(path, allow_redirects=kwargs.pop('allow_redirects', True), **kwargs)

    def post(self, path, data, **kwargs):
        """A form POST (even with an empty body, which url_open would turn into a GET)."""
        kwargs.setdefault('allow_redirects', False)
        kwargs.setdefault('timeout', 30)
        return self.opener.post(self.base_url() + path, data=data, **kwargs)

    def csrf(self, response):
        match = CSRF_RE.search(response.text)
        self.assertTrue(match, 'the page has no CSRF token')
        return match.group(1)

    def new_browser(self):
        """A visitor with no cookie (another person, another browser)."""
        self.opener = type(self.opener)(self.cr)

    @contextmanager
    def logged_events(self):
        """Records the events passed to the envelope's operation-log hook (and still calls it)."""
        events = []
        Envelope = type(self.env['esign.envelope'])
        original = Envelope._esign_log

        def recording(envelope, event, signer=None, document=None, request_info=None, **details):
            events.append({'event': event, 'envelope': envelope.id, 'signer': signer and signer.ids,
                           'document': document and document.id, 'request_info': request_info, **details})
            return original(envelope, event, signer=signer, document=document, request_info=request_info, **details)

        with patch.object(Envelope, '_esign_log', recording):
            yield events
