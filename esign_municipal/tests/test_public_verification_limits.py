import datetime
import http.client

from odoo.tests import HttpCase, tagged

from ..models.esign_portal_throttle import LIMITS
from ..models.pdf_errors import VERIFY_MAX_PDF_SIZE
from ..engine.jst import jst_date
from .archive_common import ArchiveCase, VerificationPageMixin


@tagged('post_install', '-at_install')
class TestPublicVerificationLimits(VerificationPageMixin, HttpCase, ArchiveCase):
    """/esign/verify: the body is refused before it is read when it is too
    large (or when the page is off for the public), anonymous uploads are
    limited per address, and they are counted per day rather than chained
    one by one into the operation log."""

    def setUp(self):
        super().setUp()
        self.pdf = self.complete_envelope().document_ids._read_pdf('current')

    def post_headers_only(self, length=None):
        """A POST that announces `length` bytes (or a chunked body) and sends
        none: answered at once only if the server refuses it without reading
        the body."""
        self.env.flush_all()  # what url_open does before a request
        connection = http.client.HTTPConnection('127.0.0.1', self.http_port(), timeout=10)
        try:
            connection.putrequest('POST', '/esign/verify')
            connection.putheader('Content-Type', 'multipart/form-data; boundary=x')
            if length is None:
                connection.putheader('Transfer-Encoding', 'chunked')
            else:
                connection.putheader('Content-Length', str(length))
            connection.endheaders()
            response = connection.getresponse()
            return response.status
        finally:
            connection.close()

    def test_body_refused_before_it_is_read(self):
        before = self.state()
        self.enable()
        self.assertEqual(self.post_headers_only(VERIFY_MAX_PDF_SIZE + 1024 * 1024), 413)
        self.assertEqual(self.post_headers_only(1024 ** 3), 413)
        self.assertEqual(self.post_headers_only(None), 411)
        # Logged in, the same limit.
        self.authenticate('esign_officer', 'esign_officer')
        response = self.verify(b'%PDF-1.7\n' + b'0' * (VERIFY_MAX_PDF_SIZE + 128 * 1024))
        self.assertEqual(response.status_code, 413)
        # Off for the public: nothing is read at all, whatever its size.
        self.authenticate(None, None)
        self.enable(False)
        self.assertEqual(self.post_headers_only(2048), 413)
        self.assertEqual(self.url_open('/esign/verify').status_code, 404)
        self.assertEqual(self.state(), before)

    def test_anonymous_uploads_limited_per_address_and_counted_per_day(self):
        self.enable()
        before = self.state()
        response = self.verify(self.pdf)
        self.assertEqual(response.status_code, 200)
        self.assertIn('Valid: every signature is intact', response.text)
        after = self.state()
        self.assertEqual(after['log'], before['log'], 'no operation-log row per anonymous upload')
        self.assertEqual(after['counted'], before['counted'] + 1)
        self.assertEqual(after['throttle'][0]['key'], 'verify_ip:127.0.0.1')
        # The address used up its allowance: refused, nothing validated or counted.
        maximum, _window = LIMITS['verify_ip']
        for _count in range(maximum - 1):
            self.env['esign.portal.throttle'].sudo()._esign_count('verify_ip', '127.0.0.1')
        refused = self.verify(self.pdf)
        self.assertEqual(refused.status_code, 429)
        self.assertIn('Too many files were verified from your address', refused.text)
        self.assertNotIn('Valid: every signature is intact', refused.text)
        self.assertEqual(self.state()['counted'], after['counted'])
        # Another address is not affected; a logged-in user is not counted, but logged.
        self.authenticate('esign_officer', 'esign_officer')
        response = self.verify(self.pdf)
        self.assertEqual(response.status_code, 200)
        entry = self.log_of(event='verify_signatures', user_ref=self.officer.id)
        self.assertEqual((len(entry), entry.ip_address), (1, '127.0.0.1'))
        self.assertEqual(self.state()['counted'], after['counted'])

    def test_each_past_day_is_one_row_of_the_chain(self):
        Count = self.env['esign.public.verification.count'].sudo()
        today = jst_date(None)
        yesterday = today - datetime.timedelta(days=1)
        Count.create([{'day': yesterday, 'count': 1234}, {'day': today, 'count': 7}])
        self.env['esign.operation.log']._cron_anchor()
        rows = self.log_of(event='public_verifications')
        self.assertEqual(len(rows), 1)
        self.assertIn(f'"day": "{yesterday.isoformat()}"', rows.details)
        self.assertIn('"count": 1234', rows.details)
        self.assertTrue(rows.entry_hash, 'sealed into the chain')
        # Once only; today's count waits for the day to end.
        self.env['esign.operation.log']._cron_anchor()
        self.assertEqual(len(self.log_of(event='public_verifications')), 1)
        self.assertEqual(Count.search([('day', '=', today)]).logged, False)
