"""Envelope encryption of documents at rest.

Each document gets its own random AES-256 data key (DEK); the bytes are
encrypted with AES-256-GCM under it, and the DEK itself is wrapped by a
key-encryption key (KEK) that never enters the database: a key file named by
the server configuration (FileKek, here) or an AES key inside an HSM
(pkcs11_token.TokenKek). Both KEKs offer the same two operations, `wrap` and
`unwrap`, plus a `ref` recorded beside every ciphertext so that reading picks
the KEK the data was written with.
"""
import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from .errors import CustodyError

KEY_SIZE = 32  # AES-256
NONCE_SIZE = 12  # the GCM nonce size NIST SP 800-38D recommends


@dataclass(frozen=True)
class EncryptedBlob:
    ciphertext: bytes  # GCM ciphertext with its 16-byte tag appended
    nonce: bytes
    wrapped_key: bytes  # the DEK, wrapped by the KEK named by kek_ref
    kek_ref: str


def encrypt(plaintext, kek, aad=b''):
    """Encrypt under a fresh DEK; `aad` binds the ciphertext to its record (swapping blobs fails)."""
    dek = AESGCM.generate_key(bit_length=KEY_SIZE * 8)
    nonce = os.urandom(NONCE_SIZE)
    ciphertext = AESGCM(dek).encrypt(nonce, plaintext, aad)
    return EncryptedBlob(ciphertext=ciphertext, nonce=nonce, wrapped_key=kek.wrap(dek), kek_ref=kek.ref)


def decrypt(blob, kek, aad=b''):
    if blob.kek_ref != kek.ref:
        raise CustodyError('kek_mismatch', f'data was encrypted under KEK {blob.kek_ref}, the configured KEK is '
                                           f'{kek.ref}', expected=blob.kek_ref, configured=kek.ref)
    dek = kek.unwrap(blob.wrapped_key)
    try:
        return AESGCM(dek).decrypt(blob.nonce, blob.ciphertext, aad)
    except InvalidTag:
        raise CustodyError('tampered', 'the encrypted data does not authenticate: altered or swapped') from None


# A small secret (a TSA password) sealed like a document, as one text value.
SECRET_PREFIX = 'sealed1:'


def seal_secret(plaintext, kek, context):
    """Text holding `plaintext` (bytes) encrypted under a fresh DEK wrapped by
    `kek`; `context` (e.g. 'esign.tsa,7,password') binds it to its record."""
    blob = encrypt(plaintext, kek, context.encode())
    fields = {'kek': blob.kek_ref, 'key': blob.wrapped_key, 'nonce': blob.nonce, 'data': blob.ciphertext}
    payload = json.dumps({name: value if name == 'kek' else base64.b64encode(value).decode()
                          for name, value in fields.items()})
    return SECRET_PREFIX + base64.b64encode(payload.encode()).decode()


def sealed_secret(text):
    """The EncryptedBlob inside a seal_secret() text (its kek_ref says which KEK opens it)."""
    try:
        if not text.startswith(SECRET_PREFIX):
            raise ValueError('no prefix')
        fields = json.loads(base64.b64decode(text[len(SECRET_PREFIX):], validate=True))
        return EncryptedBlob(ciphertext=base64.b64decode(fields['data']), nonce=base64.b64decode(fields['nonce']),
                             wrapped_key=base64.b64decode(fields['key']), kek_ref=fields['kek'])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise CustodyError('tampered', 'not a sealed secret') from None


class FileKek:
    """A 256-bit KEK kept in a file outside the database (base64, one line, as `openssl rand -base64 32`)."""

    def __init__(self, key, path=None):
        if len(key) != KEY_SIZE:
            raise CustodyError('kek_file_invalid', f'the KEK must be {KEY_SIZE} bytes', path=path)
        self._key = key
        self.path = path
        # Identifies the key without revealing it: an HMAC under the key itself.
        self.ref = 'file:' + hmac.new(key, b'esign-kek-id', hashlib.sha256).hexdigest()[:16]

    def __repr__(self):
        return f'<FileKek {self.ref}>'

    @classmethod
    def from_file(cls, path):
        try:
            with open(path, 'rb') as kek_file:
                text = kek_file.read(4096).strip()
        except FileNotFoundError:
            raise CustodyError('kek_file_missing', f'no KEK file at {path}', path=path) from None
        except OSError as exc:
            raise CustodyError('kek_file_unreadable', f'cannot read the KEK file {path}: {exc.strerror}',
                               path=path) from None
        try:
            key = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise CustodyError('kek_file_invalid', f'the KEK file {path} is not base64', path=path) from None
        return cls(key, path=path)

    def wrap(self, key):
        return aes_key_wrap(self._key, key)  # RFC 3394: integrity-protected

    def unwrap(self, wrapped):
        try:
            return aes_key_unwrap(self._key, wrapped)
        except (InvalidUnwrap, ValueError):
            raise CustodyError('wrong_kek', 'the key-encryption key does not unwrap this data key') from None


def generate_kek_file(path):
    """Write a new random KEK readable by its owner only; never overwrite an existing one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'wb') as kek_file:
        kek_file.write(base64.b64encode(os.urandom(KEY_SIZE)) + b'\n')
    return path


def kek_file_is_private(path):
    """False when group or others may read the file (the caller warns)."""
    return not (os.stat(path).st_mode & 0o077)

