"""Install, uninstall and reinstall the three addons on a real Odoo.

Runs odoo-bin as a user would (README's ODOO_SRC), on the session's
database installed with demo data (conftest.demo_database), which it leaves
installed again, demo data included.
"""
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


def test_install_uninstall_reinstall(demo_database, odoo_data_dir):
    database = demo_database  # installed by the fixture, as `-i` does
    states, menu = _installed(database, odoo_data_dir)
    assert all(f"('{addon}', 'installed')" in states for addon in ADDONS), states
    assert menu == 'MENU True'

    odoo('shell', '-d', database, data_dir=odoo_data_dir, stdin=(
        "env['ir.module.module'].search([('name', 'in', %r)]).button_immediate_uninstall()\n"
        "env.cr.commit()\n" % (ADDONS,)))
    states, menu = _installed(database, odoo_data_dir)
    assert all(f"('{addon}', 'uninstalled')" in states for addon in ADDONS), states
    assert menu == 'MENU False'

    odoo('-d', database, '-i', ','.join(ADDONS), '--stop-after-init', data_dir=odoo_data_dir)
    states, menu = _installed(database, odoo_data_dir)
    assert all(f"('{addon}', 'installed')" in states for addon in ADDONS), states
    assert menu == 'MENU True'
