"""Engine tests run without Odoo.

Importing `esign_municipal.engine.x` normally runs the addon's __init__.py,
which imports odoo. Register each addon folder as a bare namespace package
instead, so that only the (Odoo-free) engine modules are ever executed.

The tests marked `odoo` drive a real Odoo from outside (tests/odoo_cli.py)
and share one database installed with demo data (`demo_database`).
"""
import base64
import importlib.machinery
import os
import pathlib
import shutil
import sys
import types
import uuid

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent

for addon_dir in sorted(path for path in REPO.glob('esign_*') if (path / '__manifest__.py').is_file()):
    package = types.ModuleType(addon_dir.name)
    package.__path__ = [str(addon_dir)]
    package.__spec__ = importlib.machinery.ModuleSpec(addon_dir.name, None, is_package=True)
    sys.modules.setdefault(addon_dir.name, package)


# -- the `pytest -m odoo` tests: one database with the three addons and demo data ---------------


@pytest.fixture(scope='session')
def odoo_conf(tmp_path_factory):
    """esign_hsm needs a key-encryption key file named in the server
    configuration: scripts/test makes one (ESIGN_ODOO_CONF), else a throw-away one."""
    if not os.environ.get('ESIGN_ODOO_CONF'):
        folder = tmp_path_factory.mktemp('odoo-conf')
        kek = folder / 'kek.key'
        kek.write_bytes(base64.b64encode(os.urandom(32)))
        kek.chmod(0o600)
        conf = folder / 'odoo.conf'
        conf.write_text(f'[options]\nesign_kek_file = {kek}\n')
        os.environ['ESIGN_ODOO_CONF'] = str(conf)
    return os.environ['ESIGN_ODOO_CONF']


@pytest.fixture(scope='session')
def odoo_data_dir(tmp_path_factory):
    """Odoo's data directory (filestores) for every database these tests make; removed at the end."""
    folder = tmp_path_factory.mktemp('odoo-data')
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope='session')
def demo_database(odoo_conf, odoo_data_dir):
    """A database with the three addons installed with demo data (the
    completed demo contract included), installed once for the session: an
    install takes a minute or two. Tests may uninstall and reinstall the
    addons but leave them installed, with demo data."""
    from odoo_cli import ADDONS, ODOO_SRC, dropdb, odoo
    if not (ODOO_SRC / 'odoo-bin').is_file():
        pytest.fail(f'no Odoo 18 at ODOO_SRC={ODOO_SRC}')
    name = f'esign_odoo_{uuid.uuid4().hex[:8]}'
    try:
        odoo('-d', name, '-i', ','.join(ADDONS), '--stop-after-init', data_dir=odoo_data_dir)
        yield name
    finally:
        dropdb(name)
