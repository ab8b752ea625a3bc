"""Shared by the envelope tests: real parts only.

A throw-away PKI whose CRLs and OCSP are served on loopback, a real RFC 3161
TSA on loopback, the demo witness key stored through esign_hsm's custody (so
signing goes through the vault's key-encryption key), PDFs generated with
reportlab, and the independent checks on what comes out: pdfsig (certificate
chains against an NSS database trusting the test root; esign_hsm.engine.testing),
OpenSSL for document timestamps, qpdf, pyHanko.
"""
import base64
import io
import os
import re
import subprocess
import tempfile
import uuid

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from odoo.tests.common import TransactionCase, new_test_user

from odoo.addons.esign_hsm.testing import pdf_checks
from odoo.addons.esign_hsm.testing.pki import build_pki
from odoo.addons.esign_hsm.testing.pki_server import PkiServer
from odoo.addons.esign_hsm.testing.tsa_server import TsaServer

from odoo.addons.esign_hsm.engine.signers import to_asn1_cert

pdfsig = pdf_checks.pdfsig  # pdfsig(data, trust_roots) -> [pdf_checks.PdfsigSignature]


def make_pdf(title='Contract', pages=1):
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for number in range(1, pages + 1):
        pdf.setFont('Helvetica', 14)
        pdf.drawString(72, 780, f'{title} - {number}/{pages}')
        pdf.setFont('Helvetica', 10)
        for line in range(20):
            pdf.drawString(72, 740 - line * 20, f'{line + 1}. The parties agree to the terms below.')
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def pdf_text(data):
    """The text of a PDF, as poppler's pdftotext extracts it (-layout)."""
    with tempfile.NamedTemporaryFile(suffix='.pdf') as handle:
        handle.write(data)
        handle.flush()
        return subprocess.run(['pdftotext', '-layout', handle.name, '-'], capture_output=True, text=True,
                              timeout=60, check=True).stdout


# Kangxi radicals (U+2F00-U+2FDF) and the CJK radicals supplement (U+2E80-U+2EFF): what a PDF's
# text gives instead of 文, 日, 長 ... when its ToUnicode map names the radical that shares the
# ideograph's glyph in the font.
CJK_RADICALS = re.compile('[\u2e80-\u2eff\u2f00-\u2fdf]')


def assert_text_as_shown(case, data, words):
    """The text extracted from the PDF (copy, search, screen readers) holds
    `words` exactly, and no radical in place of an ideograph."""
    text = pdf_text(data)
    flat = ' '.join(text.split())
    for word in words:
        case.assertIn(word, flat)
    case.assertFalse(CJK_RADICALS.findall(text), f'radicals instead of ideographs in: {flat[:300]}')


def distinctive_runs(data, size=48, count=6):
    """A few byte runs of `data` with many different bytes (compressed
    streams, DER), spread over it: found anywhere, they show `data` was
    stored in clear (as in tests/test_restore_contracts.py)."""
    step = max((len(data) - size) // (count * 8), 1)
    runs = [data[offset:offset + size] for offset in range(0, len(data) - size, step)]
    distinctive = [run for run in runs if len(set(run)) >= 24]
    return distinctive[::max(len(distinctive) // count, 1)][:count]


def marked_pdf(label):
    """A one-page PDF whose content stream holds a marker found in no other file."""
    marker = f'{label}-{uuid.uuid4().hex}'
    return pdf_checks.one_page_pdf(marker), marker.encode()


def places_in_clear(env, runs):
    """Where the byte strings `runs` (a marker, or distinctive_runs of a file)
    are found in clear: 'database' (attachments' db_datas) and the paths of
    this database's filestore files (vault ciphertexts included)."""
    env.flush_all()
    places = []
    for run in runs:
        env.cr.execute('SELECT count(*) FROM ir_attachment WHERE position(%s in db_datas) > 0', [run])
        if env.cr.fetchone()[0]:
            places.append('database')
    filestore = env['ir.attachment']._filestore()
    for folder, _dirs, names in os.walk(filestore):
        for name in names:
            with open(os.path.join(folder, name), 'rb') as file:
                content = file.read()
            if any(run in content for run in runs):
                places.append(os.path.join(folder, name))
    return places


def assert_nowhere_in_clear(case, runs, what):
    case.assertFalse(places_in_clear(case.env, runs), f'{what} is stored in clear')


def pdf_field_names(data):
    reader = PdfFileReader(io.BytesIO(data))
    return {str(ref.get_object().get('/T')) for ref in reader.root['/AcroForm']['/Fields']}


def qpdf_ok(data):
    with tempfile.NamedTemporaryFile(suffix='.pdf') as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run(['qpdf', '--check', handle.name], capture_output=True, text=True, timeout=300)
    return result.returncode == 0 and 'No syntax or stream encoding errors found' in result.stdout


class EsignCase(TransactionCase):
    """Users, a loopback PKI and TSA, the company's witness key, and helpers to build envelopes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pki_server = PkiServer().start()
        cls.addClassCleanup(cls.pki_server.stop)
        cls.pki = build_pki(base_url=cls.pki_server.base_url)
        cls.pki_server.pki = cls.pki
        cls.tsa_server = TsaServer(cls.pki.tsa, cls.pki.chain, delay=2.0).start()
        cls.addClassCleanup(cls.tsa_server.stop)
        cls.company = cls.env.company
        cls.company.write({'name': 'デモ市', 'email': 'keiyaku@demo-city.example'})
        cls.env['esign.demo.pki']._install_demo_pki(cls.company, cls.pki)
        cls.env['ir.config_parameter'].sudo().set_param('web.base.url', 'https://esign.demo-city.example')

        cls.officer = new_test_user(cls.env, 'esign_officer', groups='esign_municipal.group_esign_user',
                                    email='officer@demo-city.example', name='Officer')
        # The approver logs in with the address the requests go to, so signs from the back office too.
        cls.approver = new_test_user(cls.env, 'approver@demo-city.example', groups='esign_municipal.group_esign_user',
                                     email='approver@demo-city.example', name='Approver Sato')
        cls.vendor = cls.env['res.partner'].create({'name': 'Demo Construction', 'is_company': True,
                                                    'email': 'info@construction.example'})
        cls.contractor = cls.env['res.partner'].create({
            'name': 'Taro Yamada', 'parent_id': cls.vendor.id, 'type': 'contact',
            'email': 'yamada@construction.example'})

        # The loopback TSA is the only one: an outage is an outage.
        cls.env['esign.tsa'].search([]).active = False
        cls.env['esign.tsa'].create({
            'name': 'Loopback TSA', 'url': cls.tsa_server.url, 'timeout': 1.0,
            'trust_roots_pem': cls.pki.root.cert_pem.decode()})

    def setUp(self):
        super().setUp()
        self.tsa_server.fault = None

    # -- building envelopes ------------------------------------------------------

    def create_envelope(self, user=None, signers=None, documents=None, mode='sequential', **values):
        """A draft envelope as `user` (the officer): documents {name: pages}, signers [(partner, role, order)],
        each signer with an invisible signature on every document."""
        Envelope = self.env['esign.envelope'].with_user(user or self.officer)
        envelope = Envelope.create(dict({'name': 'Outsourcing contract', 'signing_mode': mode}, **values))
        for position, (name, pages) in enumerate((documents if documents is not None else {'Contract': 2, 'Cover letter': 1}).items()):
            self.env['esign.document'].with_user(user or self.officer).create({
                'envelope_id': envelope.id, 'name': name, 'sequence': position,
                'pdf_upload': base64.b64encode(make_pdf(name, pages)),
            })
        for partner, role, order in (signers if signers is not None else self.default_signers()):
            signer = self.env['esign.signer'].with_user(user or self.officer).create({
                'envelope_id': envelope.id, 'partner_id': partner.id, 'role': role, 'signing_order': order})
            for document in envelope.document_ids:
                self.env['esign.field'].with_user(user or self.officer).create({
                    'document_id': document.id, 'signer_id': signer.id, 'field_type': 'signature',
                    'page': 1, 'label': 'Signature'})
        return envelope

    def default_signers(self):
        return [(self.contractor, 'contractor', 1), (self.approver.partner_id, 'municipality', 2)]

    def mails_to(self, signer):
        return self.env['mail.mail'].sudo().search(
            [('model', '=', 'esign.signer'), ('res_id', '=', signer.id)], order='id')

    def link_token(self, mail, kind='sign'):
        match = re.search(rf'/esign/{kind}/(\d+)/([A-Za-z0-9_\-]+)', mail.body_html)
        self.assertTrue(match, f'no /esign/{kind}/ link in the mail')
        return int(match.group(1)), match.group(2)

    def find_by_token(self, signer_id, token, scope='sign'):
        """The signer whose valid link this is, else an empty recordset."""
        signer, status = self.env['esign.signer']._esign_resolve_token(signer_id, token, scope)
        return signer if status == 'valid' else self.env['esign.signer']

    # -- checking signed PDFs --------------------------------------------------------

    def assert_signed(self, data, signature_fields, doc_timestamps=0):
        """pdfsig (OpenSSL for document timestamps), qpdf and pyHanko, each
        trusting only the test root, agree the PDF is validly signed."""
        self.assertTrue(qpdf_ok(data), 'qpdf --check fails on the signed PDF')
        pdf_checks.assert_pdfsig_verdict(data, [self.pki.root.cert], signature_fields, doc_timestamps)
        reader = PdfFileReader(io.BytesIO(data))
        context = ValidationContext(trust_roots=[to_asn1_cert(self.pki.root.cert)])
        for signature in reader.embedded_regular_signatures:
            status = validate_pdf_signature(signature, context)
            self.assertTrue(status.bottom_line, status.pretty_print_details())
            self.assertTrue(status.timestamp_validity and status.timestamp_validity.trusted)
        self.assertEqual(len(reader.embedded_timestamp_signatures), doc_timestamps)
        for signature in reader.embedded_timestamp_signatures:
            status = validate_pdf_timestamp(signature, context)
            self.assertTrue(status.intact and status.valid and status.trusted, str(status))
        return reader
