"""A backup made by docker/backup/esign-backup, restored by esign-restore into
a new database, holds contracts that still decrypt (with the same
key-encryption key file, which is not in the backup) and still validate;
the operation log's hash chain still verifies; and the archive holds no
document in clear.

On the session's database with demo data (conftest.demo_database): its
completed demo contract, signed through the real pipeline when it was built.
"""
import json
import os
import pathlib
import shutil
import subprocess
import tarfile
import uuid

import pytest

from odoo_cli import PG, REPO, dropdb, odoo

pytestmark = [pytest.mark.odoo, pytest.mark.slow]

BACKUP = REPO / 'docker' / 'backup' / 'esign-backup'
RESTORE = REPO / 'docker' / 'backup' / 'esign-restore'

# Prints, as one JSON line, what the archive of the database holds: every
# archived contract's documents (decrypted, checked by the product's own
# validation) and the operation log's chain. PLAIN_DIR receives each
# decrypted PDF, for the test to look for in the backup.
CONTRACTS_REPORT = r'''
import hashlib, json, pathlib
verifier = env['esign.signature.verifier']
contracts = []
for contract in env['esign.contract'].search([('source', '=', 'envelope')], order='number'):
    documents = []
    for document in contract.document_ids:
        data = document._read_pdf()
        pathlib.Path(PLAIN_DIR, f'{contract.number}-{document.id}.pdf').write_bytes(data)
        report = verifier._esign_validate(data)
        documents.append({
            'name': document.name, 'sha256': hashlib.sha256(data).hexdigest(), 'stored_sha256': document.sha256,
            'verdict': report.verdict, 'ltv': report.ltv, 'document_timestamped': report.document_timestamped,
            'signatures': sum(1 for sig in report.signatures if sig.kind == 'signature' and sig.intact
                              and sig.valid and sig.timestamp_valid)})
    certificate = contract.envelope_id._esign_audit_certificate_pdf()
    contracts.append({'number': contract.number, 'documents': documents,
                      'certificate': certificate and verifier._esign_validate(certificate).verdict})
Log = env['esign.operation.log']
chain, unsealed = Log._esign_verify_chain()
print('REPORT ' + json.dumps({
    'contracts': contracts, 'chain_intact': chain.intact, 'chain_checked': chain.checked,
    'unsealed': unsealed, 'anchor_problems': len(Log._esign_check_anchors()),
    'log_entries': Log.search_count([])}))
'''


def _report(database, data_dir, plain_dir):
    plain_dir.mkdir()
    out = odoo('shell', '-d', database, data_dir=data_dir,
               stdin=f'PLAIN_DIR = {str(plain_dir)!r}\n' + CONTRACTS_REPORT)
    line = next(line for line in out.splitlines() if line.startswith('REPORT '))
    return json.loads(line[len('REPORT '):])


def _windows(data, size=48, count=6):
    """A few distinctive byte runs spread over a PDF (compressed streams,
    signatures; not the generic header, not the zero padding of a
    signature's reserved space): found anywhere, they show its plaintext was
    stored."""
    step = max((len(data) - size) // (count * 8), 1)
    runs = [data[offset:offset + size] for offset in range(1024, len(data) - size, step)]
    distinctive = [run for run in runs if len(set(run)) >= 24]
    assert len(distinctive) >= count, 'the PDF has too few distinctive bytes to look for'
    return distinctive[::max(len(distinctive) // count, 1)][:count]


def _script(path, *args, env):
    result = subprocess.run([str(path), *args], env={**os.environ, **PG, **env}, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_restored_backup_holds_valid_contracts_and_no_plaintext(demo_database, odoo_data_dir, tmp_path):
    filestore = pathlib.Path(odoo_data_dir) / 'filestore'
    try:
        _check_backup_and_restore(demo_database, odoo_data_dir, filestore, tmp_path)
    finally:
        # The decrypted PDFs, the backup and the restored filestore go at once.
        shutil.rmtree(tmp_path, ignore_errors=True)


def _check_backup_and_restore(demo_database, odoo_data_dir, filestore, tmp_path):
    before = _report(demo_database, odoo_data_dir, tmp_path / 'plain-before')
    assert before['contracts'], 'the demo data holds a completed contract'
    assert before['chain_intact'] and before['unsealed'] == 0, before

    archive = pathlib.Path(_script(BACKUP, env={
        'DB': demo_database, 'FILESTORE_ROOT': str(filestore), 'BACKUP_DIR': str(tmp_path / 'backups')})[-1])
    restored = f'esign_restored_{uuid.uuid4().hex[:8]}'
    try:
        _script(RESTORE, str(archive), restored, env={'FILESTORE_ROOT': str(filestore)})
        after = _report(restored, odoo_data_dir, tmp_path / 'plain-after')
    finally:
        dropdb(restored)
        shutil.rmtree(filestore / restored, ignore_errors=True)

    # The same contracts, byte for byte, and they validate: both witness
    # signatures with their timestamps, the document timestamp, LTV data.
    assert after['contracts'] == before['contracts']
    for contract in after['contracts']:
        assert contract['certificate'] == 'valid', contract
        for document in contract['documents']:
            assert document['sha256'] == document['stored_sha256'], document
            assert (document['verdict'], document['ltv'], document['document_timestamped'],
                    document['signatures']) == ('valid', True, True, 2), document
    assert after['chain_intact'] and after['unsealed'] == 0 and after['anchor_problems'] == 0, after
    assert after['chain_checked'] == before['chain_checked'] == after['log_entries']

    # Documents stay encrypted: no run of a signed PDF's bytes is in the
    # filestore's files, nor in the database dump (its table data as SQL text, bytea hex included).
    with tarfile.open(archive) as tar:
        stored = [tar.extractfile(member).read() for member in tar.getmembers() if member.isfile()]
        tar.extract('db.dump', tmp_path, filter='data')
    sql = subprocess.run(['pg_restore', '--data-only', '-f', '-', str(tmp_path / 'db.dump')],
                         capture_output=True, check=True).stdout
    plain = sorted((tmp_path / 'plain-before').glob('*.pdf'))
    assert len(plain) == sum(len(contract['documents']) for contract in before['contracts'])
    for pdf in plain:
        for window in _windows(pdf.read_bytes()):
            assert not any(window in blob for blob in stored), f'{pdf.name} is in the backup in clear'
            assert window not in sql and window.hex().encode() not in sql, f'{pdf.name} is in the dump in clear'
