"""A PKCS#11 module is never loaded from a forbidden directory (Odoo's data
directory), whatever the allowed directories say; symbolic links included."""
import os
import shutil

import pytest

from esign_hsm.engine import pkcs11_token
from esign_hsm.testing import softhsm
from esign_hsm.engine.errors import CustodyError


def test_forbidden_directory_wins_over_the_allowed_list(tmp_path):
    data_dir = tmp_path / 'odoo-data'
    (data_dir / 'filestore').mkdir(parents=True)
    planted = data_dir / 'filestore' / 'lib.so'
    shutil.copyfile(os.path.realpath(softhsm.SOFTHSM_MODULE), planted)
    link = tmp_path / 'lib-link.so'
    link.symlink_to(planted)
    allowed = (f'{tmp_path}/',)
    for path in (planted, link):
        with pytest.raises(CustodyError) as error:
            pkcs11_token.load_module(str(path), allowed, forbidden_dirs=(str(data_dir),))
        assert error.value.code == 'module_in_data_dir'
    # A neighbour whose name merely starts like the data directory is not inside it.
    neighbour = tmp_path / 'odoo-data-other' / 'lib.so'
    neighbour.parent.mkdir()
    shutil.copyfile(planted, neighbour)
    assert pkcs11_token.check_module_path(str(neighbour), allowed, forbidden_dirs=(str(data_dir),)) == \
        os.path.realpath(neighbour)
