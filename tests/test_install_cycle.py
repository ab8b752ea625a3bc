"""Install, uninstall and reinstall the three addons on a real Odoo.

Runs odoo-bin as a user would (README's ODOO_SRC), on the session's
database installed with demo data (conftest.demo_database), which it leaves
installed again, demo data included.

The demo's completed contract is within its retention period, so the
uninstallation is refused until the server's configuration file allows it
(esign_allow_uninstall_with_archive), as a municipality leaving the service
does after exporting its archive.
"""
import os
import pathlib

import pytest

from odoo_cli import ADDONS, odoo

pytestmark = [pytest.mark.odoo, pytest.mark.slow]


def _installed(db, data_dir):
    out = odoo('shell', '-d', db, data_dir=data_dir, stdin=(
        "mods = env['ir.module.module'].search([('name', 'in', %r)])\n"
        "print('STATES', sorted((m.name, m.state) for m in mods))\n"
        "print('MODELS', env['ir.model'].search_count([('model', '=like', 'esign.%%')]))\n"
        "print('MENU', bool(env.ref('esign_municipal.menu_esign_root', raise_if_not_found=False)))\n" % (ADDONS,)))
    states = next(line for line in out.splitlines() if line.startswith('STATES'))
    menu = next(line for line in out.splitlines() if line.startswith('MENU'))
    return states, menu


def _contracts(db, data_dir):
    out = odoo('shell', '-d', db, data_dir=data_dir, stdin="print('CONTRACTS', env['esign.contract'].search_count([]))\n")
    return int(next(line for line in out.splitlines() if line.startswith('CONTRACTS')).split()[1])


def _uninstall(db, data_dir, conf=None):
    out = odoo('shell', '-d', db, data_dir=data_dir, conf=conf, stdin=(
        "from odoo.exceptions import UserError\n"
        "try:\n"
        "    env['ir.module.module'].search([('name', 'in', %r)]).button_immediate_uninstall()\n"
        "    env.cr.commit()\n"
        "except UserError as error:\n"
        "    print('REFUSED', error.args[0].replace('\\n', ' '))\n" % (ADDONS,)))
    return next((line for line in out.splitlines() if line.startswith('REFUSED')), None)


def test_install_uninstall_reinstall(demo_database, odoo_data_dir, tmp_path):
    database = demo_database  # installed by the fixture, as `-i` does
    states, menu = _installed(database, odoo_data_dir)
    assert all(f"('{addon}', 'installed')" in states for addon in ADDONS), states
    assert menu == 'MENU True'
    contracts = _contracts(database, odoo_data_dir)
    assert contracts, 'the demo data holds an archived contract'

    # Refused while the archive holds contracts to keep: nothing is marked or removed.
    refused = _uninstall(database, odoo_data_dir)
    assert refused and 'retention period' in refused and 'esign_allow_uninstall_with_archive' in refused, refused
    states, menu = _installed(database, odoo_data_dir)
    assert all(f"('{addon}', 'installed')" in states for addon in ADDONS), states
    assert _contracts(database, odoo_data_dir) == contracts

    # Marked for removal without button_uninstall (a write of the state, as an
    # administrator can do over RPC), the module loader still refuses: the
    # uninstall hook checks again, and Odoo puts the modules back as installed.
    with pytest.raises(AssertionError, match='Failed to load registry'):
        odoo('shell', '-d', database, data_dir=odoo_data_dir, stdin=(
            "import odoo\n"
            "env['ir.module.module'].search([('name', '=', 'esign_municipal')]).write({'state': 'to remove'})\n"
            "env.cr.commit()\n"
            "try:\n"
            "    odoo.modules.registry.Registry.new(env.cr.dbname, update_module=True)\n"
            "except Exception as error:\n"
            "    print('REFUSED', error)\n"))
    states, menu = _installed(database, odoo_data_dir)
    assert all(f"('{addon}', 'installed')" in states for addon in ADDONS), states
    assert _contracts(database, odoo_data_dir) == contracts

    # Allowed by the server's configuration file, the uninstallation removes everything.
    conf = tmp_path / 'odoo-uninstall.conf'
    conf.write_text(pathlib.Path(os.environ['ESIGN_ODOO_CONF']).read_text()
                    + '\nesign_allow_uninstall_with_archive = True\n')
    assert _uninstall(database, odoo_data_dir, conf=conf) is None
    states, menu = _installed(database, odoo_data_dir)
    assert all(f"('{addon}', 'uninstalled')" in states for addon in ADDONS), states
    assert menu == 'MENU False'

    odoo('-d', database, '-i', ','.join(ADDONS), '--stop-after-init', data_dir=odoo_data_dir)
    states, menu = _installed(database, odoo_data_dir)
    assert all(f"('{addon}', 'installed')" in states for addon in ADDONS), states
    assert menu == 'MENU True'
