"""Encrypts the few secrets a TSA configuration holds (a basic-auth password,
the demo TSA's private key) with AES-256-GCM under a key that lives outside
the database: a key file on the server, named by the server configuration or
created on first use in Odoo's data directory (never in the filestore that
Odoo's database backups include).
"""
import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
PREFIX = 'aesgcm1:'


def load_or_create_key(path, create=True):
    """The 32-byte key stored (base64) in `path`; created with mode 0600 if missing."""
    if not os.path.exists(path):
        if not create:
            raise FileNotFoundError(path)
        os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'w') as handle:
            handle.write(base64.b64encode(os.urandom(KEY_BYTES)).decode() + '\n')
    with open(path, encoding='ascii') as handle:
        key = base64.b64decode(handle.read().strip())
    if len(key) != KEY_BYTES:
        raise ValueError(f'{path} must hold a base64-encoded 32-byte key')
    return key


def encrypt(key, plaintext, context):
    """Text token for `plaintext` (str or bytes); `context` binds it to its use
    (e.g. 'esign.tsa,7,password') so it cannot be moved to another record."""
    if isinstance(plaintext, str):
        plaintext = plaintext.encode()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, context.encode())
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(key, token, context):
    if not token.startswith(PREFIX):
        raise ValueError('not an encrypted value')
    raw = base64.b64decode(token[len(PREFIX):])
    return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
