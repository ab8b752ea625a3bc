import json
import os
import shutil
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import config

from odoo.addons.esign_hsm.testing import softhsm

from .common import HsmCase

REFUSAL = "inside the Odoo server's data directory"


@tagged('post_install', '-at_install')
class TestPkcs11ModulePath(HttpCase, HsmCase):
    """A PKCS#11 module is code the server runs: never one from Odoo's data
    directory (the filestore, where uploaded files land), even when the
    allowed directories (esign_pkcs11_module_dirs) would include it."""

    def setUp(self):
        super().setUp()
        # A real PKCS#11 library, as a file that reached the data directory.
        folder = os.path.join(config['data_dir'], 'filestore', self.env.cr.dbname, 'esign-module-test')
        os.makedirs(folder, exist_ok=True)
        self.addCleanup(shutil.rmtree, folder, True)
        self.planted = os.path.join(folder, 'libpkcs11-upload.so')
        shutil.copyfile(os.path.realpath(softhsm.SOFTHSM_MODULE), self.planted)
        # The allowed list names the data directory's parent: it does not matter.
        allowed = f'/usr/lib,{os.path.dirname(os.path.realpath(config["data_dir"]))}'
        patcher = patch.dict(config.options, {'esign_pkcs11_module_dirs': allowed})
        patcher.start()
        self.addCleanup(patcher.stop)

    def call_kw(self, model, method, args, kwargs=None):
        payload = {'jsonrpc': '2.0', 'method': 'call', 'id': 1,
                   'params': {'model': model, 'method': method, 'args': args, 'kwargs': kwargs or {}}}
        response = self.url_open(f'/web/dataset/call_kw/{model}/{method}', data=json.dumps(payload),
                                 headers={'Content-Type': 'application/json'})
        body = response.json()
        return body.get('result'), body.get('error', {}).get('data')

    def test_module_in_the_data_directory_is_refused(self):
        self.authenticate('admin', 'admin')
        # Saved through Settings, or on the company directly: refused, nothing saved.
        settings_id, error = self.call_kw('res.config.settings', 'create', [{'esign_pkcs11_module': self.planted}])
        if not error:
            _result, error = self.call_kw('res.config.settings', 'execute', [[settings_id]])
        self.assertEqual(error['name'], 'odoo.exceptions.ValidationError')
        self.assertIn(REFUSAL, error['message'])
        _result, error = self.call_kw('res.company', 'write', [self.company.ids, {'esign_pkcs11_module': self.planted}])
        self.assertEqual(error['name'], 'odoo.exceptions.ValidationError')
        self.assertIn(REFUSAL, error['message'])
        # A symbolic link from an allowed directory to it is the same file.
        link = os.path.join(os.path.dirname(os.path.realpath(config['data_dir'])), 'esign-test-link.so')
        os.symlink(self.planted, link)
        self.addCleanup(os.unlink, link)
        _result, error = self.call_kw('res.company', 'write', [self.company.ids, {'esign_pkcs11_module': link}])
        self.assertIn(REFUSAL, error['message'])
        self.company.invalidate_recordset()
        self.assertEqual(self.company.esign_pkcs11_module, softhsm.SOFTHSM_MODULE)

    def test_a_stored_path_is_refused_before_loading(self):
        # Stored before this check existed: the module is still not loaded.
        self.env.cr.execute('UPDATE res_company SET esign_pkcs11_module = %s WHERE id = %s',
                            [self.planted, self.company.id])
        self.company.invalidate_recordset()
        with self.assertRaisesRegex(UserError, REFUSAL):
            with self.custody._hsm_session(self.company):
                pass
