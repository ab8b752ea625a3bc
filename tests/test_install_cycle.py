"""Install, uninstall and reinstall the three addons on a real Odoo.

Runs odoo-bin as a user would (README's ODOO_SRC), on its own database.
"""
import base64
import os
import pathlib
import subprocess
import sys
import uuid

import pytest

pytestmark = [pytest.mark.odoo, pytest.mark.slow]

REPO = pathlib.Path(__file__).resolve().parent.parent
ODOO_SRC = pathlib.Path(os.environ.get('ODOO_SRC', '/opt/odoo18'))
ADDONS = ('esign_timestamp', 'esign_hsm', 'esign_municipal')
DB_ARGS = ['--db_host', os.environ.get('PGHOST', '127.0.0.1'), '--db_port', os.environ.get('PGPORT', '5432')]


def _odoo(*args, stdin=None):
    addons_path = os.environ.get('ESIGN_ADDONS_PATH') or ','.join(
        [str(ODOO_SRC / 'addons'), str(ODOO_SRC / 'odoo' / 'addons'), str(REPO / 'addons')])
    command = [sys.executable, str(ODOO_SRC / 'odoo-bin'), *args, '-c', os.environ['ESIGN_ODOO_CONF'],
               '--addons-path', addons_path, *DB_ARGS, '--no-http', '--max-cron-threads', '0']
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=900)
    errors = [line for line in result.stderr.splitlines() + result.stdout.splitlines()
              if ' ERROR ' in line or ' CRITICAL ' in line or line.startswith('Traceback')]
    assert result.returncode == 0 and not errors, '\n'.join(errors) or result.stderr[-3000:]
    return result.stdout


def _installed(db):
    out = _odoo('shell', '-d', db, stdin=(
        "mods = env['ir.module.module'].search([('name', 'in', %r)])\n"
        "print('STATES', sorted((m.name, m.state) for m in mods))\n"
        "print('MODELS', env['ir.model'].search_count([('model', '=like', 'esign.%%')]))\n"
        "print('MENU', bool(env.ref('esign_municipal.menu_esign_root', raise_if_not_found=False)))\n" % (ADDONS,)))
    states = next(line for line in out.splitlines() if line.startswith('STATES'))
    menu = next(line for line in out.splitlines() if line.startswith('MENU'))
    return states, menu


@pytest.fixture(autouse=True)
def odoo_conf(tmp_path, monkeypatch):
    """esign_hsm needs a key-encryption key file named in the server configuration (scripts/test makes one)."""
    if not os.environ.get('ESIGN_ODOO_CONF'):
        kek = tmp_path / 'kek.key'
        kek.write_bytes(base64.b64encode(os.urandom(32)))
        kek.chmod(0o600)
        conf = tmp_path / 'odoo.conf'
        conf.write_text(f'[options]\nesign_kek_file = {kek}\n')
        monkeypatch.setenv('ESIGN_ODOO_CONF', str(conf))


@pytest.fixture
def database():
    if not (ODOO_SRC / 'odoo-bin').is_file():
        pytest.fail(f'no Odoo 18 at ODOO_SRC={ODOO_SRC}')
    name = f'esign_cycle_{uuid.uuid4().hex[:8]}'
    yield name
    subprocess.run(['dropdb', '-h', DB_ARGS[1], '-p', DB_ARGS[3], '--if-exists', name], check=False)


def test_install_uninstall_reinstall(database):
    _odoo('-d', database, '-i', ','.join(ADDONS), '--stop-after-init')
    states, menu = _installed(database)
    assert all(f"('{addon}', 'installed')" in states for addon in ADDONS), states
    assert menu == 'MENU True'

    _odoo('shell', '-d', database, stdin=(
        "env['ir.module.module'].search([('name', 'in', %r)]).button_immediate_uninstall()\n"
        "env.cr.commit()\n" % (ADDONS,)))
    states, menu = _installed(database)
    assert all(f"('{addon}', 'uninstalled')" in states for addon in ADDONS), states
    assert menu == 'MENU False'

    _odoo('-d', database, '-i', ','.join(ADDONS), '--stop-after-init')
    states, menu = _installed(database)
    assert all(f"('{addon}', 'installed')" in states for addon in ADDONS), states
    assert menu == 'MENU True'
