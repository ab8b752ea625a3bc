"""Everything in one documented ZIP: contracts with their metadata, signed
PDFs and audit certificates, the correction history and the operation log,
with a CSV and a JSON index, checksums and a README. For an auditor, or a
municipality leaving the service."""
import hashlib
import json
import pathlib
import re
import zipfile

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import file_path

from ..engine import hash_chain
from ..models.esign_archive_csv import csv_bytes
from ..models.esign_operation_log import HASHED_COLUMNS
from ..engine.jst import format_jst, start_of_day_utc

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_name(name):
    return _UNSAFE.sub('_', name or '').strip(' .') or 'document'


class EsignArchiveExportWizard(models.TransientModel):
    _name = 'esign.archive.export.wizard'
    _description = 'Export the archive'

    date_from = fields.Date(string='Archived from', help='Leave empty to export from the first contract.')
    date_to = fields.Date(string='Archived until', help='Leave empty to export up to today.')
    include_log = fields.Boolean(string='Include the operation log', default=True)

    def action_export(self):
        self.ensure_one()
        if not self.env.user.has_group('esign_municipal.group_esign_auditor'):
            raise UserError(self.env._('Only auditors and administrators can export the archive.'))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UserError(self.env._('The start of the period must come before its end.'))
        return {'type': 'ir.actions.act_url', 'target': 'download', 'url': f'/esign/archive/export/{self.id}'}

    def _esign_contracts(self):
        domain = []
        if self.date_from:
            domain.append(('archived_at', '>=', start_of_day_utc(self.date_from)))
        if self.date_to:
            domain.append(('archived_at', '<', start_of_day_utc(fields.Date.add(self.date_to, days=1))))
        return self.env['esign.contract'].search(domain, order='archived_at, id')

    def _esign_write_zip(self, fileobj):
        """Writes the ZIP into fileobj; returns the number of contracts."""
        self.ensure_one()
        contracts = self._esign_contracts()
        sums = []

        def add(archive, path, data):
            archive.writestr(path, data)
            sums.append(f'{hashlib.sha256(data).hexdigest()}  {path}')

        with zipfile.ZipFile(fileobj, 'w', compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            with self.env['esign.key.custody']._kek_scope(contracts.company_id):
                index = [self._esign_add_contract(archive, add, contract) for contract in contracts]
            csv = self.env['esign.archive.csv']
            add(archive, 'index.csv', csv_bytes(
                csv._esign_contract_header() + [self.env._('Files')],
                [row + [' '.join(item['files'])] for row, item in zip(csv._esign_contract_rows(contracts), index)]))
            add(archive, 'index.json', _json({'exported_at': format_jst(fields.Datetime.now()),
                                              'exported_by': self.env.user.name,
                                              'period': [str(self.date_from or ''), str(self.date_to or '')],
                                              'contracts': index}))
            add(archive, 'corrections.csv', self._esign_corrections_csv(contracts))
            if self.include_log:
                self._esign_add_log(archive, add)
            add(archive, 'README.md', self._esign_readme(len(contracts)))
            archive.writestr('SHA256SUMS', '\n'.join(sums) + '\n')
        self.env['esign.operation.log']._esign_record(
            'export', what='archive_zip', count=len(contracts), period=[str(self.date_from or ''),
                                                                         str(self.date_to or '')])
        return len(contracts)

    def _esign_add_contract(self, archive, add, contract):
        folder = f'contracts/{safe_name(contract.number)}'
        files = []
        documents = []
        for position, document in enumerate(contract.sudo().document_ids, 1):
            path = f'{folder}/{position:02d}-{safe_name(document.name).removesuffix(".pdf")}.pdf'
            data = document._read_pdf()
            add(archive, path, data)
            files.append(path)
            documents.append({'name': document.name, 'path': path, 'sha256': hashlib.sha256(data).hexdigest(),
                              'sha256_at_archiving': document.sha256, 'size': len(data),
                              'newest_timestamp': format_jst(document.timestamp_at),
                              'timestamp_authority': document.timestamp_tsa or '',
                              'renewals': document.renewal_count})
        certificate = contract.envelope_id and contract.sudo().envelope_id._esign_audit_certificate_pdf()
        if certificate:
            path = f'{folder}/audit-certificate.pdf'
            add(archive, path, certificate)
            files.append(path)
        item = {
            'number': contract.number, 'title': contract.name, 'reference': contract.reference or '',
            'transaction_date': str(contract.transaction_date or ''),
            'amount': contract.amount or None, 'currency': contract.currency_id.name,
            'counterparty': contract.partner_id.display_name or '',
            'contract_type': contract.contract_type_id.name or '', 'department': contract.department or '',
            'origin': contract.source, 'archived_at': format_jst(contract.archived_at),
            'retention_until': str(contract.retention_until), 'company': contract.company_id.name,
            'envelope': self._esign_envelope_facts(contract.sudo().envelope_id),
            'documents': documents, 'files': files,
            'corrections': [{'when': format_jst(c.corrected_at), 'who': c.user_name, 'field': c.field_label,
                             'before': c.value_before, 'after': c.value_after, 'reason': c.reason}
                            for c in contract.sudo().correction_ids],
        }
        add(archive, f'{folder}/metadata.json', _json(item))
        return item

    def _esign_envelope_facts(self, envelope):
        if not envelope:
            return None
        return {
            'number': envelope.number, 'sent_at': format_jst(envelope.sent_at),
            'completed_at': format_jst(envelope.completed_at), 'sender': envelope.user_id.name,
            'signers': [{'name': s.name, 'email': s.email or '', 'role': s.role, 'signed_at': format_jst(s.signed_at),
                         'ip': s.signed_ip or '', 'authentication': s.auth_method or ''}
                        for s in envelope.signer_ids],
        }

    def _esign_corrections_csv(self, contracts):
        _ = self.env._
        corrections = self.env['esign.contract.correction'].search(
            ['|', ('contract_id', 'in', contracts.ids), ('kind', '=', 'deletion')], order='id')
        return csv_bytes(
            [_('Kind'), _('Contract number'), _('When'), _('Who'), _('Field'), _('Before'), _('After'),
             _('Reason')],
            ([c.kind, c.contract_number, format_jst(c.corrected_at), c.user_name or '', c.field_label or '',
              c.value_before or '', c.value_after or '', c.reason or ''] for c in corrections))

    def _esign_add_log(self, archive, add):
        Log = self.env['esign.operation.log']
        readable = Log.search([])
        add(archive, 'operation_log.csv', csv_bytes(self.env['esign.archive.csv']._esign_log_header(),
                                                    self.env['esign.archive.csv']._esign_log_rows(readable)))
        # The chain, row by row as hashed; rows of other companies keep only
        # their hashes, so the links can be checked without their content.
        readable_ids = set(readable.ids)
        cr = self.env.cr
        cr.execute(f'SELECT chain_seq, prev_hash, entry_hash, {", ".join(HASHED_COLUMNS)} '
                   'FROM esign_operation_log WHERE chain_seq IS NOT NULL ORDER BY chain_seq')
        lines = []
        for seq, prev_hash, digest, *content in cr.fetchall():
            content = dict(zip(HASHED_COLUMNS, content))
            row = {'chain_seq': seq, 'prev_hash': prev_hash, 'entry_hash': digest}
            if content['id'] in readable_ids:
                row['content'] = {key: hash_chain.normalize(value) for key, value in content.items()}
            else:
                row['redacted'] = True
            lines.append(json.dumps(row, ensure_ascii=False, sort_keys=True))
        add(archive, 'operation_log.jsonl', ('\n'.join(lines) + '\n').encode('utf-8'))
        engine = pathlib.Path(file_path('esign_municipal/engine/hash_chain.py'))
        add(archive, 'tools/hash_chain.py', engine.read_bytes())
        add(archive, 'tools/verify_log.py', VERIFY_SCRIPT.encode('utf-8'))

    def _esign_readme(self, count):
        text = pathlib.Path(file_path('esign_municipal/doc/export_readme.md')).read_text(encoding='utf-8')
        return text.replace('{count}', str(count)).replace(
            '{exported_at}', format_jst(fields.Datetime.now())).encode('utf-8')


def _json(value):
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode('utf-8')


VERIFY_SCRIPT = '''"""Checks the hash chain of operation_log.jsonl: python3 tools/verify_log.py"""
import json
import sys

sys.path.insert(0, 'tools')
from hash_chain import GENESIS, content_with_seq, entry_hash  # noqa: E402

previous, checked = GENESIS, 0
for line in open('operation_log.jsonl', encoding='utf-8'):
    row = json.loads(line)
    if row['prev_hash'] != previous:
        sys.exit(f"chain broken before position {row['chain_seq']}")
    if 'content' in row and entry_hash(content_with_seq(row['content'], row['chain_seq']),
                                       row['prev_hash']) != row['entry_hash']:
        sys.exit(f"entry at position {row['chain_seq']} (ID {row['content']['id']}) was changed")
    previous, checked = row['entry_hash'], checked + 1
print(f'{checked} entries, chain intact')
'''
