import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile

from odoo.tests import HttpCase, tagged

from .archive_common import ArchiveCase
from .common import make_pdf


@tagged('post_install', '-at_install')
class TestArchiveHttp(HttpCase, ArchiveCase):
    """The archive over HTTP: PDFs shown and downloaded (logged), the audit
    certificate, the ZIP export, the system overview and the public
    verification page."""

    def test_archived_pdf_view_and_download_are_logged(self):
        contract = self.complete_envelope().contract_ids
        document = contract.document_ids
        self.authenticate('esign_officer', 'esign_officer')
        view = self.url_open(f'/esign/archive/document/{document.id}/view')
        self.assertEqual(view.status_code, 200)
        self.assertEqual(view.headers['Content-Type'], 'application/pdf')
        self.assertTrue(view.headers['Content-Disposition'].startswith('inline'))
        self.assertEqual(hashlib.sha256(view.content).hexdigest(), document.sha256)
        download = self.url_open(f'/esign/archive/document/{document.id}/download')
        self.assertTrue(download.headers['Content-Disposition'].startswith('attachment'))
        events = self.log_of(contract_ref=contract.id, user_ref=self.officer.id).mapped('event')
        self.assertEqual(events[-2:], ['view', 'download'])
        entry = self.log_of(contract_ref=contract.id, event='view')
        self.assertEqual(entry.ip_address, '127.0.0.1')
        self.assertTrue(entry.user_agent)
        # Someone who may not see the contract gets nothing.
        self.authenticate('approver@demo-city.example', 'approver@demo-city.example')
        self.assertEqual(self.url_open(f'/esign/archive/document/{document.id}/view').status_code, 404)

    def test_audit_certificate_download(self):
        envelope = self.complete_envelope()
        self.authenticate('esign_officer', 'esign_officer')
        response = self.url_open(f'/esign/audit-certificate/{envelope.id}')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, envelope._esign_audit_certificate_pdf())
        self.assertTrue(self.log_of(envelope_ref=envelope.id, event='download', user_ref=self.officer.id))

    def test_zip_export_is_complete_and_checkable(self):
        envelope = self.complete_envelope()
        registered = self.register()
        self.seal()
        wizard = self.env['esign.archive.export.wizard'].with_user(self.auditor).create({})
        self.authenticate('esign_archive_auditor', 'esign_archive_auditor')
        response = self.url_open(f'/esign/archive/export/{wizard.id}', timeout=120)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Content-Type'], 'application/zip')
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        names = set(archive.namelist())
        folder = f'contracts/{envelope.number}'
        for expected in ('README.md', 'index.csv', 'index.json', 'corrections.csv', 'operation_log.csv',
                         'operation_log.jsonl', 'SHA256SUMS', 'tools/hash_chain.py', 'tools/verify_log.py',
                         f'{folder}/metadata.json', f'{folder}/01-Contract.pdf', f'{folder}/audit-certificate.pdf',
                         f'contracts/{registered.number}/01-paper-contract.pdf'):
            self.assertIn(expected, names)
        self.assertEqual(archive.read(f'{folder}/01-Contract.pdf'), envelope.document_ids._read_pdf('current'))
        index = json.loads(archive.read('index.json'))
        numbers = [item['number'] for item in index['contracts']]
        self.assertIn(envelope.number, numbers)
        item = index['contracts'][numbers.index(envelope.number)]
        self.assertEqual(item['documents'][0]['sha256'], hashlib.sha256(
            envelope.document_ids._read_pdf('current')).hexdigest())
        self.assertEqual(item['envelope']['signers'][0]['ip'], '203.0.113.7')
        for line in archive.read('SHA256SUMS').decode().splitlines():
            digest, path = line.split('  ', 1)
            self.assertEqual(hashlib.sha256(archive.read(path)).hexdigest(), digest, path)
        readme = archive.read('README.md').decode()
        self.assertIn('SHA256SUMS', readme)
        with tempfile.TemporaryDirectory() as folder_path:
            archive.extractall(folder_path)
            result = subprocess.run([sys.executable, 'tools/verify_log.py'], cwd=folder_path, capture_output=True,
                                    text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn('chain intact', result.stdout)
        self.assertTrue(self.log_of(event='export', user_ref=self.auditor.id))
        # Only whoever asked for the export can download it.
        self.authenticate('esign_archive_manager', 'esign_archive_manager')
        self.assertEqual(self.url_open(f'/esign/archive/export/{wizard.id}').status_code, 404)

    def test_system_overview_page(self):
        self.authenticate('esign_officer', 'esign_officer')
        response = self.url_open('/esign/system-overview')
        self.assertEqual(response.status_code, 200)
        for expected in ('システム概要書', 'System overview', 'Retention periods', 'Loopback TSA'):
            self.assertIn(expected, response.text)
        self.authenticate(None, None)
        self.assertNotEqual(self.url_open('/esign/system-overview').url.split('?')[0].rsplit('/', 1)[-1],
                            'system-overview')

    def test_public_verification_page_only_when_enabled(self):
        envelope = self.complete_envelope()
        data = envelope.document_ids._read_pdf('current')
        self.assertEqual(self.url_open('/esign/verify').status_code, 404)
        self.env['ir.config_parameter'].sudo().set_param('esign_municipal.public_verification', 'True')
        page = self.url_open('/esign/verify?lang=en_US')
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page.headers['Referrer-Policy'], 'no-referrer')
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.opener.post(f'{self.base_url()}/esign/verify?lang=en_US',
                                    data={'csrf_token': token}, files={'pdf': ('contract.pdf', data)}, timeout=120)
        self.assertEqual(response.status_code, 200)
        self.assertIn('Valid: every signature is intact', response.text)
        self.assertIn('Demo Witness Signing', response.text)
        # Counted for the day, not one operation-log row per anonymous upload.
        self.assertFalse(self.log_of(event='verify_signatures'))
        self.assertEqual(self.env['esign.public.verification.count'].search([]).count, 1)
        # Without the CSRF token the upload is refused.
        refused = self.opener.post(f'{self.base_url()}/esign/verify', files={'pdf': ('x.pdf', make_pdf('x'))},
                                   timeout=60)
        self.assertEqual(refused.status_code, 400)
