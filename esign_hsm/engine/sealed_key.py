"""A private key stored in the database without ever being readable there.

The key is kept as standard encrypted PKCS#8 PEM (what Odoo's certificate.key
`content` holds) under a random 256-bit passphrase, and only the passphrase,
wrapped by the key-encryption key (vault_crypto), sits beside it. With the
database alone the key cannot be recovered; with the KEK an operator can still
export it with ordinary tools (openssl pkcs8 -passin).
"""
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from .errors import CustodyError


@dataclass(frozen=True)
class SealedKey:
    encrypted_pem: bytes
    wrapped_passphrase: bytes
    kek_ref: str


def seal_private_key(private_key, kek):
    passphrase = os.urandom(32)
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.BestAvailableEncryption(passphrase))
    return SealedKey(encrypted_pem=pem, wrapped_passphrase=kek.wrap(passphrase), kek_ref=kek.ref)


def unseal_private_key(sealed, kek):
    if sealed.kek_ref != kek.ref:
        raise CustodyError('kek_mismatch', f'key sealed under KEK {sealed.kek_ref}, configured KEK is {kek.ref}',
                           expected=sealed.kek_ref, configured=kek.ref)
    passphrase = kek.unwrap(sealed.wrapped_passphrase)
    try:
        return serialization.load_pem_private_key(sealed.encrypted_pem, passphrase)
    except (ValueError, TypeError):
        raise CustodyError('tampered', 'the sealed private key does not decrypt') from None


def public_key_pem(private_key):
    return private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)


def load_pkcs12(data, password):
    """(private key, certificate, additional certificates) from a PKCS#12 file, as `cryptography` objects."""
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, password or None)
    except (ValueError, TypeError):
        raise CustodyError('pkcs12_invalid', 'the PKCS#12 file or its password is wrong') from None
    if key is None or cert is None:
        raise CustodyError('pkcs12_invalid', 'the PKCS#12 file holds no private key with its certificate')
    if public_key_pem(key) != cert.public_key().public_bytes(serialization.Encoding.PEM,
                                                             serialization.PublicFormat.SubjectPublicKeyInfo):
        raise CustodyError('cert_key_mismatch', 'the certificate does not belong to the private key')
    return key, cert, list(others or ())
