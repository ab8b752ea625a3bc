"""Who gets in, what they get, and what leaks nowhere: logged-in contractors and
approvers, the download page, tokens kept out of the server log and out of
the Referer sent to other sites."""
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.tests import new_test_user, tagged

from .common import qpdf_ok
from .portal_common import PortalCase


class _ThirdParty(BaseHTTPRequestHandler):
    """Another web site on loopback: remembers the headers of every visit."""
    visits = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        type(self).visits.append(dict(self.headers, path=self.path))
        body = b'<html><body><script>console.log("test successful")</script></body></html>'
        try:
            self.send_response(200)
            self.send_header('Content-Type', 'text/html')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the test browser closed while its favicon request was on the way

    def log_message(self, *args):
        pass


class _LogCapture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@tagged('post_install', '-at_install')
class TestPortalAccess(PortalCase):

    def complete_envelope(self, envelope, signer, approver):
        signer._complete_signing(self.filled_values(), {'ip': '127.0.0.1', 'auth_method': 'email_link'})
        approver._complete_signing({}, {'ip': '127.0.0.1', 'auth_method': 'backoffice'})
        self.assertEqual(envelope.state, 'completed')

    # -- logged in ---------------------------------------------------------------------

    def test_portal_user_sees_and_signs_their_envelopes_under_my(self):
        # A portal account logs in with the address the requests are sent to.
        portal_user = new_test_user(self.env, 'kobayashi@construction.example', groups='base.group_portal',
                                    email='kobayashi@construction.example', name='Ken Kobayashi')
        stranger = new_test_user(self.env, 'other_portal', groups='base.group_portal', name='Someone Else')
        envelope, signer, approver = self.send_envelope(otp=True, contractor=portal_user.partner_id)
        self.authenticate('kobayashi@construction.example', 'kobayashi@construction.example')
        counters = self.make_jsonrpc_request('/my/counters', {'counters': ['esign_to_sign_count',
                                                                           'esign_completed_count']})
        self.assertEqual((counters['esign_to_sign_count'], counters['esign_completed_count']), (1, 0))
        listing = self.open('/my/esign?filterby=to_sign')
        self.assertIn(envelope.number, listing.text)
        self.assertIn(f'href="/esign/sign/{signer.id}"', listing.text)
        # Logged in, the page opens without the mailed link; the envelope asks for the code all the same.
        page = self.open(f'/esign/sign/{signer.id}')
        self.assertIn('o_esign_otp', page.text)
        self.post(f'/esign/sign/{signer.id}/otp/send', {'csrf_token': self.csrf(page)})
        verified = self.post(f'/esign/sign/{signer.id}/otp/verify',
                             {'code': self.last_code(signer), 'csrf_token': self.csrf(page)})
        # The session got a new id: keep only the new cookie (authenticate() set the old one without a domain).
        self.opener.cookies.clear()
        self.opener.cookies['session_id'] = verified.cookies['session_id']
        page = self.open(f'/esign/sign/{signer.id}')
        self.assertIn('o_esign_sign', page.text)
        data = {f'field_{k}': v for k, v in self.filled_values().items()}
        data['csrf_token'] = self.csrf(page)
        self.assertEqual(self.post(f'/esign/sign/{signer.id}/complete', data).status_code, 303)
        self.assertEqual((signer.state, signer.auth_method), ('signed', 'login_otp'))
        approver._complete_signing({}, {'auth_method': 'backoffice'})
        # Completed: listed, and downloadable without a time limit.
        self.env.cr.execute("UPDATE esign_envelope SET completed_at = completed_at - interval '400 days' "
                            "WHERE id = %s", [envelope.id])
        self.env.invalidate_all()
        completed = self.open('/my/esign?filterby=completed')
        self.assertIn(f'href="/esign/download/{signer.id}"', completed.text)
        document = envelope.document_ids[0]
        download = self.open(f'/esign/download/{signer.id}/document/{document.id}')
        self.assertEqual(download.status_code, 200)
        self.assertTrue(qpdf_ok(download.content))
        # Another portal user sees none of it.
        self.authenticate('other_portal', 'other_portal')
        self.assertNotIn(envelope.number, self.open('/my/esign?filterby=all').text)
        self.assertEqual(self.open(f'/esign/sign/{signer.id}').status_code, 404)
        self.assertEqual(self.open(f'/esign/download/{signer.id}/document/{document.id}').status_code, 404)

    def test_internal_approver_signs_through_the_same_page(self):
        envelope, signer, approver = self.send_envelope()
        signer._complete_signing(self.filled_values(), {'auth_method': 'email_link'})
        action = envelope.with_user(self.approver).action_open_signing_page()
        self.assertEqual(action['url'], f'/esign/sign/{approver.id}')
        self.authenticate('approver@demo-city.example', 'approver@demo-city.example')
        page = self.open(action['url'])
        self.assertIn('o_esign_sign', page.text)
        self.assertEqual(self.post(f'/esign/sign/{approver.id}/complete',
                                   {'csrf_token': self.csrf(page)}).status_code, 303)
        self.assertEqual((approver.state, approver.auth_method), ('signed', 'backoffice'))
        self.assertEqual(envelope.state, 'completed')
        # The officer, who is not a signer, has no signing page.
        self.authenticate('esign_officer', 'esign_officer')
        self.assertEqual(self.open(f'/esign/sign/{approver.id}').status_code, 404)

    # -- the download page ---------------------------------------------------------------

    def test_download_page_offers_the_signed_pdfs_and_the_certificate(self):
        envelope, signer, approver = self.send_envelope()
        self.complete_envelope(envelope, signer, approver)
        path = self.download_path(signer)
        with self.logged_events() as events:
            page = self.open(path)
        self.assertEqual(page.status_code, 200)
        self.assertIn('o_esign_download', page.text)
        for document in envelope.document_ids:
            self.assertIn(f'/esign/download/{signer.id}/document/{document.id}', page.text)
            with self.logged_events() as events:
                response = self.open(f'/esign/download/{signer.id}/document/{document.id}')
            self.assertEqual(response.status_code, 200)
            self.assertIn('attachment;', response.headers['Content-Disposition'])
            # What the contractor downloads: both signatures valid and trusted, B-LTA.
            self.assert_signed(response.content, [f'FIELD_{envelope.number}_{s.id}' for s in (signer, approver)],
                               doc_timestamps=1)
            self.assertEqual([(e['event'], e['document']) for e in events], [('download', document.id)])
        # The audit certificate the archive made on completion is offered next to the documents.
        self.assertIn('o_esign_download_certificate', page.text)
        with self.logged_events() as events:
            response = self.open(f'/esign/download/{signer.id}/certificate')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, envelope._esign_audit_certificate_pdf())
        self.assertTrue(qpdf_ok(response.content))
        self.assertIn(envelope.number, response.headers['Content-Disposition'])
        self.assertEqual([(e['event'], e.get('kind')) for e in events], [('download', 'certificate')])
        # The sign link of a completed envelope says so.
        used = self.open(self.sign_path(signer))
        self.assertEqual(used.status_code, 404)
        self.assertIn('data-state="signed"', used.text)

    # -- what never leaks ----------------------------------------------------------------

    def test_tokens_never_reach_the_server_log(self):
        envelope, signer, approver = self.send_envelope(otp=True)
        sign_path = self.sign_path(signer)
        capture = _LogCapture()
        root = logging.getLogger()
        root.addHandler(capture)
        try:
            page = self.open(sign_path)                                        # exchange
            self.post(f'/esign/sign/{signer.id}/otp/send', {'csrf_token': self.csrf(page)})
            self.open(sign_path[:-3] + 'xyz')                                  # tampered
            self.open(f'/esign/download/{signer.id}/{sign_path.rsplit("/", 1)[1]}')  # wrong scope
            signer.sudo().otp_required = False
            signer._complete_signing(self.filled_values(), {'auth_method': 'email_link'})
            approver._complete_signing({}, {'auth_method': 'backoffice'})
            download_path = self.download_path(signer)
            self.new_browser()
            self.open(download_path)
            self.open(sign_path)                                               # used up
        finally:
            root.removeHandler(capture)
        tokens = [sign_path.rsplit('/', 1)[1], sign_path.rsplit('/', 1)[1][:-3] + 'xyz',
                  download_path.rsplit('/', 1)[1], self.last_code(signer)]
        access_lines = [line for line in capture.lines if '/esign/' in line and 'HTTP/1.1' in line]
        self.assertTrue(any(f'/esign/sign/{signer.id}/[redacted]' in line for line in access_lines), access_lines)
        self.assertTrue(any(f'/esign/download/{signer.id}/[redacted]' in line for line in access_lines))
        for token in tokens:
            self.assertFalse([line for line in capture.lines if token in line], 'a token or code reached the log')

    def test_no_referer_reaches_other_sites(self):
        _ThirdParty.visits = []
        server = ThreadingHTTPServer(('127.0.0.1', 0), _ThirdParty)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        elsewhere = f'http://127.0.0.1:{server.server_address[1]}/landing'
        envelope, signer, approver = self.send_envelope()
        sign_path = self.sign_path(signer)
        # From the signing page (after the link was exchanged) ...
        self.browser_js(sign_path, f'location.href = {elsewhere!r}', ready='document.readyState === "complete"')
        # ... and from a page still showing a mailed link in the address bar (a used-up link).
        signer._complete_signing(self.filled_values(), {'auth_method': 'email_link'})
        self.browser_js(sign_path, f'location.href = {elsewhere!r}', ready='document.readyState === "complete"')
        landings = [visit for visit in _ThirdParty.visits if visit['path'] == '/landing']
        self.assertEqual(len(landings), 2)
        for visit in landings:
            self.assertNotIn('Referer', visit)

    def test_security_headers_on_every_portal_answer(self):
        envelope, signer, approver = self.send_envelope()
        sign_path = self.sign_path(signer)
        answers = {
            'link redirect': self.open(sign_path, allow_redirects=False),
            'signing page': self.open(sign_path),
            'document': self.open(f'/esign/sign/{signer.id}/document/{envelope.document_ids[0].id}/pdf'),
        }
        self.new_browser()
        answers['unknown link'] = self.open(f'/esign/sign/{signer.id}/{"A" * 43}')
        signer._complete_signing(self.filled_values(), {'auth_method': 'email_link'})
        approver._complete_signing({}, {'auth_method': 'backoffice'})
        answers['used-up link'] = self.open(sign_path)
        answers['download page'] = self.open(self.download_path(signer))
        answers['download'] = self.open(f'/esign/download/{signer.id}/document/{envelope.document_ids[0].id}')
        for name, response in answers.items():
            with self.subTest(name):
                headers = response.headers
                self.assertEqual(headers.get('Referrer-Policy'), 'no-referrer')
                self.assertEqual(headers.get('X-Content-Type-Options'), 'nosniff')
                self.assertEqual(headers.get('Cache-Control'), 'no-store')
                self.assertIn("frame-ancestors 'none'", headers.get('Content-Security-Policy', ''))
