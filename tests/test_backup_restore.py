"""docker/backup's scripts on a real PostgreSQL: database and filestore go
together, rotation keeps daily/monthly/yearly copies, restore makes a new
database. (That restored contracts still decrypt and validate is tested on a
real Odoo database: test_restore_contracts.py.)"""
import os
import pathlib
import subprocess
import tarfile
import uuid

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
BACKUP = REPO / 'docker' / 'backup' / 'esign-backup'
RESTORE = REPO / 'docker' / 'backup' / 'esign-restore'
PG = {'PGHOST': os.environ.get('PGHOST', '127.0.0.1'), 'PGPORT': os.environ.get('PGPORT', '5432')}


def _psql(db, sql):
    return subprocess.run(['psql', '-d', db, '-Atqc', sql], env={**os.environ, **PG},
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def databases():
    names = []

    def make(prefix):
        name = f'{prefix}_{uuid.uuid4().hex[:8]}'
        names.append(name)
        return name
    yield make
    for name in names:
        subprocess.run(['dropdb', '--if-exists', name], env={**os.environ, **PG}, check=False)


def _backup(env, when):
    out = subprocess.run([str(BACKUP)], env={**env, 'BACKUP_NOW': when}, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return pathlib.Path(out.stdout.strip().splitlines()[-1])


def test_backup_rotation_and_restore_into_a_fresh_database(tmp_path, databases):
    source = databases('esign_bk_src')
    subprocess.run(['createdb', source], env={**os.environ, **PG}, check=True)
    _psql(source, "CREATE TABLE contract (id int, title text); INSERT INTO contract VALUES (1, '業務委託契約書')")
    filestore = tmp_path / 'filestore'
    (filestore / source / 'ab').mkdir(parents=True)
    (filestore / source / 'ab' / 'abcdef').write_bytes(b'\x00encrypted-bytes\xff')
    env = {**os.environ, **PG, 'DB': source, 'FILESTORE_ROOT': str(filestore),
           'BACKUP_DIR': str(tmp_path / 'backups'), 'KEEP_DAILY': '3', 'KEEP_MONTHLY': '2', 'KEEP_YEARLY': '5'}

    archives = [_backup(env, when) for when in (
        '20260130-170000', '20260131-170000', '20260201-170000', '20260202-170000', '20260301-170000')]
    with tarfile.open(archives[-1]) as tar:
        assert {'MANIFEST', 'db.dump', 'filestore/ab/abcdef'} <= set(tar.getnames())

    def names(folder):
        return sorted(p.name for p in (tmp_path / 'backups' / folder).glob('*.tar'))
    assert names('daily') == [f'{source}-{d}-170000.tar' for d in ('20260201', '20260202', '20260301')]
    # first backup of each month; only the newest 2 months kept
    assert names('monthly') == [f'{source}-{d}-170000.tar' for d in ('20260201', '20260301')]
    assert names('yearly') == [f'{source}-20260130-170000.tar']

    target = databases('esign_bk_restored')
    restored_files = tmp_path / 'restored-filestore'
    out = subprocess.run([str(RESTORE), str(archives[-1]), target],
                         env={**os.environ, **PG, 'FILESTORE_ROOT': str(restored_files)},
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert _psql(target, 'SELECT title FROM contract') == '業務委託契約書'
    assert (restored_files / target / 'ab' / 'abcdef').read_bytes() == b'\x00encrypted-bytes\xff'

    again = subprocess.run([str(RESTORE), str(archives[-1]), target],
                           env={**os.environ, **PG, 'FILESTORE_ROOT': str(restored_files)},
                           capture_output=True, text=True)
    assert again.returncode != 0 and 'already exists' in again.stderr
