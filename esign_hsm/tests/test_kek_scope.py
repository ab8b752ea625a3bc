import base64
import os
import shutil
import tempfile
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import config

from odoo.addons.esign_hsm.engine import pkcs11_token

from .common import HsmCase

SCOPE_ATTR = 'esign_kek_scope'


class KekScopeChecks:
    """What every KEK must do in a scope; the concrete classes say where the KEK is."""

    allow_inherited_tests_method = True  # Odoo's loader runs only a class's own test methods otherwise

    def _store(self, count, name='scoped'):
        return [self.Blob._store(f'{name} {n}'.encode(), f'{name}-{n}.pdf', company=self.company)
                for n in range(count)]

    def _open_scopes(self):
        return {name: value for name, value in vars(self.env.cr).items() if SCOPE_ATTR in name}

    def test_outside_a_scope_nothing_changes(self):
        blobs = self._store(2)
        self.assertEqual([blob._read() for blob in blobs], [b'scoped 0', b'scoped 1'])
        self.assertFalse(self._open_scopes())

    def test_nested_scope_joins_the_outer_one_and_all_is_dropped_on_exit(self):
        with self.custody._kek_scope() as outer:
            blobs = self._store(2)
            with self.custody._kek_scope(self.company) as inner:
                self.assertIs(inner, outer)
                self.assertEqual(blobs[0]._read(), b'scoped 0')
            self.assertEqual(outer.resolutions, 1)
            self.assertTrue(outer.keks, 'the inner block leaves the outer scope its KEK')
            self.assertEqual(blobs[1]._read(), b'scoped 1')
            self.assertEqual(outer.resolutions, 1)
        self.assertFalse(outer.keks)
        self.assertFalse(self._open_scopes())

    def test_an_exception_closes_the_scope(self):
        with self.assertRaisesRegex(RuntimeError, 'inside the scope'):
            with self.custody._kek_scope() as scope:
                self._store(1)
                self.assertTrue(scope.keks)
                raise RuntimeError('inside the scope')
        self.assertFalse(scope.keks)
        self.assertFalse(self._open_scopes())
        self.assertEqual(self._store(1, 'after')[0]._read(), b'after 0')

    def test_errors_read_the_same_in_a_scope(self):
        text = self.custody._seal_secret(self.company, b'tsa password', 'esign.tsa,1,password')
        with self.assertRaises(UserError) as outside:
            self.custody._unseal_secret(self.company, text, 'esign.tsa,2,password')
        with self.custody._kek_scope(), self.assertRaises(UserError) as inside:
            self.custody._unseal_secret(self.company, text, 'esign.tsa,2,password')
        self.assertEqual(str(inside.exception), str(outside.exception))
        self.assertIn('altered or does not belong to this record', str(inside.exception))


@tagged('post_install', '-at_install')
class TestKekScopeFile(KekScopeChecks, HsmCase):
    """A KEK file: read once per scope, so that the file going away mid-scope changes nothing until it ends."""

    def setUp(self):
        super().setUp()
        directory = tempfile.mkdtemp(prefix='esign-kek-scope-')
        self.addCleanup(shutil.rmtree, directory, True)
        self.kek_path = os.path.join(directory, 'kek.key')
        with open(self.kek_path, 'wb') as kek_file:
            kek_file.write(base64.b64encode(os.urandom(32)))
        os.chmod(self.kek_path, 0o600)
        options = patch.dict(config.options, {'esign_kek_file': self.kek_path})
        options.start()
        self.addCleanup(options.stop)
        self.company.esign_pkcs11_kek_label = False
        self.Blob = self.env['esign.vault.blob']

    def test_the_file_is_read_once_per_scope(self):
        blobs = self._store(3)
        with self.custody._kek_scope() as scope:
            self.assertEqual(blobs[0]._read(), b'scoped 0')
            os.rename(self.kek_path, self.kek_path + '.away')
            self.addCleanup(os.rename, self.kek_path + '.away', self.kek_path)
            self.assertEqual([blob._read() for blob in blobs[1:]], [b'scoped 1', b'scoped 2'])
            self._store(2, 'new')
            self.assertEqual(scope.resolutions, 1)
        with self.assertRaisesRegex(UserError, 'does not exist'):
            blobs[0]._read()

    def test_a_scope_for_another_company_leaves_this_one_alone(self):
        other = self.env['res.company'].create({'name': 'Other city'})
        blob, = self._store(1)
        with self.custody._kek_scope(other) as scope:
            os.rename(self.kek_path, self.kek_path + '.away')
            self.addCleanup(os.rename, self.kek_path + '.away', self.kek_path)
            with self.assertRaisesRegex(UserError, 'does not exist'):
                blob._read()
            self.assertEqual(scope.resolutions, 0)


@tagged('post_install', '-at_install')
class TestKekScopeHsm(KekScopeChecks, HsmCase):
    """A KEK in the HSM: one login per scope instead of one per wrap or unwrap."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.esign_pkcs11_kek_label = False
        cls.custody._generate_hsm_kek(cls.company)
        cls.Blob = cls.env['esign.vault.blob']

    def _logins(self):
        return pkcs11_token.session_counts()['logins']

    def test_one_login_per_scope(self):
        blobs = self._store(3)
        self.assertTrue(all(blob.kek_ref.startswith(f'pkcs11:{self.token}/') for blob in blobs))
        before = self._logins()
        self.assertEqual([blob._read() for blob in blobs], [b'scoped 0', b'scoped 1', b'scoped 2'])
        self._store(3, 'again')
        self.assertEqual(self._logins() - before, 6, 'outside a scope: one login per use, as before')

        before = self._logins()
        with self.custody._kek_scope() as scope:
            self.assertEqual([blob._read() for blob in blobs], [b'scoped 0', b'scoped 1', b'scoped 2'])
            stored = self._store(3, 'scoped-new')
            secret = self.custody._seal_secret(self.company, b'password', 'esign.tsa,1,password')
            self.assertEqual(self.custody._unseal_secret(self.company, secret, 'esign.tsa,1,password'), b'password')
            self.assertEqual(pkcs11_token.session_counts()['open_logins'], 1)
        self.assertEqual(self._logins() - before, 1)
        self.assertEqual(scope.resolutions, 1)
        self.assertEqual(pkcs11_token.session_counts()['open_logins'], 0, 'the session is closed on exit')
        self.assertEqual(stored[2]._read(), b'scoped-new 2')

    def test_the_witness_key_shares_the_login(self):
        key = self._certified_hsm_key()
        self.assertEqual(key.state, 'active')
        blob, = self._store(1)
        before = self._logins()
        with self.custody._kek_scope(), self.custody._witness_signer(self.company) as signer:
            self.assertTrue(signer.signing_cert)
            self.assertEqual(blob._read(), b'scoped 0')
            self._store(1, 'signed')
        self.assertEqual(self._logins() - before, 1)

    def test_an_exception_gives_the_session_back(self):
        blob, = self._store(1)
        with self.assertRaisesRegex(RuntimeError, 'inside'), self.custody._kek_scope():
            blob._read()
            self.assertEqual(pkcs11_token.session_counts()['open_logins'], 1)
            raise RuntimeError('inside')
        self.assertEqual(pkcs11_token.session_counts()['open_logins'], 0)
