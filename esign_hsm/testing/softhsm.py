"""Throw-away SoftHSM2 tokens, for the tests, the benchmark and trying the HSM backend.

SoftHSM2 reads SOFTHSM2_CONF when the library is initialised, and sees tokens
created by softhsm2-util (another process) only after re-initialisation, so
every change here ends with `reinitialize()`; that closes all sessions of the
process, which is fine for tests but never done by the product itself.
"""
import os
import pathlib
import subprocess

import pkcs11

SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so'


class SoftHsm:
    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.tokens = self.directory / 'tokens'
        self.tokens.mkdir(parents=True, exist_ok=True)
        self.conf = self.directory / 'softhsm2.conf'
        self.conf.write_text(f'directories.tokendir = {self.tokens}\nobjectstore.backend = file\n'
                             'log.level = ERROR\nslots.removable = false\n')

    def activate(self):
        """Point this process's SoftHSM2 at this directory."""
        os.environ['SOFTHSM2_CONF'] = str(self.conf)
        reinitialize()
        return self

    def init_token(self, label, pin, so_pin='so-pin-0000'):
        self._util('--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', so_pin)
        return label

    def delete_token(self, label):
        """The token disappears, as when an HSM is unplugged or its partition removed."""
        self._util('--delete-token', '--token', label)

    def _util(self, *args):
        env = dict(os.environ, SOFTHSM2_CONF=str(self.conf))
        subprocess.run(['softhsm2-util', *args], env=env, check=True, capture_output=True)
        if os.environ.get('SOFTHSM2_CONF') == str(self.conf):
            reinitialize()


def reinitialize():
    # the same (resolved) path as pkcs11_token.load_module, or python-pkcs11 sees a second library
    pkcs11.lib(os.path.realpath(SOFTHSM_MODULE)).reinitialize()
