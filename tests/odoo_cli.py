"""Drives a real Odoo from outside, as a user would (README's ODOO_SRC):
odoo-bin on its own databases, with the key-encryption key named in
ESIGN_ODOO_CONF (scripts/test makes one) and the filestore in a data
directory of the test's own. Used by the `pytest -m odoo` tests."""
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
ODOO_SRC = pathlib.Path(os.environ.get('ODOO_SRC', '/opt/odoo18'))
ADDONS = ('esign_timestamp', 'esign_hsm', 'esign_municipal')
PG = {'PGHOST': os.environ.get('PGHOST', '127.0.0.1'), 'PGPORT': os.environ.get('PGPORT', '5432')}
DB_ARGS = ['--db_host', PG['PGHOST'], '--db_port', PG['PGPORT']]


def odoo(*args, data_dir, stdin=None, conf=None):
    """Runs odoo-bin (no HTTP, no cron) and returns its stdout; fails on any ERROR or traceback.
    conf: another configuration file than ESIGN_ODOO_CONF."""
    addons_path = os.environ.get('ESIGN_ADDONS_PATH') or ','.join(
        [str(ODOO_SRC / 'addons'), str(ODOO_SRC / 'odoo' / 'addons'), str(REPO)])
    command = [sys.executable, str(ODOO_SRC / 'odoo-bin'), *args, '-c', conf or os.environ['ESIGN_ODOO_CONF'],
               '--addons-path', addons_path, '--data-dir', str(data_dir), *DB_ARGS, '--no-http',
               '--max-cron-threads', '0']
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=900)
    errors = [line for line in result.stderr.splitlines() + result.stdout.splitlines()
              if ' ERROR ' in line or ' CRITICAL ' in line or line.startswith('Traceback')]
    assert result.returncode == 0 and not errors, '\n'.join(errors) or result.stderr[-3000:]
    return result.stdout


def dropdb(name):
    subprocess.run(['dropdb', '--if-exists', name], env={**os.environ, **PG}, check=False)
