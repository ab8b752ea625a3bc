"""Envelope encryption at rest and sealed private keys, with a key file as the KEK."""
import base64
import os
import stat

import pytest

from esign_hsm.testing import pki as pki_mod
from esign_hsm.engine import sealed_key, vault_crypto
from esign_hsm.engine.errors import CustodyError


@pytest.fixture
def kek_path(tmp_path):
    return vault_crypto.generate_kek_file(str(tmp_path / 'kek.key'))


def test_kek_file_is_private_and_never_overwritten(kek_path):
    assert stat.S_IMODE(os.stat(kek_path).st_mode) == 0o600
    assert vault_crypto.kek_file_is_private(kek_path)
    assert len(base64.b64decode(open(kek_path, 'rb').read())) == 32
    with pytest.raises(FileExistsError):
        vault_crypto.generate_kek_file(kek_path)


def test_each_document_gets_its_own_data_key(kek_path):
    kek = vault_crypto.FileKek.from_file(kek_path)
    plaintext = b'%PDF-1.7 contract body ' * 100
    first = vault_crypto.encrypt(plaintext, kek, b'blob-1')
    second = vault_crypto.encrypt(plaintext, kek, b'blob-2')
    assert first.wrapped_key != second.wrapped_key and first.nonce != second.nonce
    assert plaintext[:32] not in first.ciphertext and len(first.ciphertext) == len(plaintext) + 16
    assert first.kek_ref == kek.ref and kek.ref.startswith('file:')
    assert vault_crypto.decrypt(first, vault_crypto.FileKek.from_file(kek_path), b'blob-1') == plaintext


def test_wrong_kek_swapped_or_altered_data_is_refused(tmp_path, kek_path):
    kek = vault_crypto.FileKek.from_file(kek_path)
    blob = vault_crypto.encrypt(b'secret', kek, b'blob-1')
    other = vault_crypto.FileKek.from_file(vault_crypto.generate_kek_file(str(tmp_path / 'other.key')))
    with pytest.raises(CustodyError) as mismatch:
        vault_crypto.decrypt(blob, other, b'blob-1')
    assert mismatch.value.code == 'kek_mismatch'
    with pytest.raises(CustodyError) as wrong:  # same label, other key: the wrap itself does not open
        other.unwrap(blob.wrapped_key)
    assert wrong.value.code == 'wrong_kek'
    with pytest.raises(CustodyError) as swapped:
        vault_crypto.decrypt(blob, kek, b'blob-2')
    assert swapped.value.code == 'tampered'
    altered = vault_crypto.EncryptedBlob(bytes([blob.ciphertext[0] ^ 1]) + blob.ciphertext[1:], blob.nonce,
                                         blob.wrapped_key, blob.kek_ref)
    with pytest.raises(CustodyError) as tampered:
        vault_crypto.decrypt(altered, kek, b'blob-1')
    assert tampered.value.code == 'tampered'


@pytest.mark.parametrize('content, code', [(None, 'kek_file_missing'), (b'not base64 !!', 'kek_file_invalid'),
                                           (base64.b64encode(b'short'), 'kek_file_invalid')])
def test_bad_kek_files_say_what_is_wrong(tmp_path, content, code):
    path = tmp_path / 'kek.key'
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CustodyError) as error:
        vault_crypto.FileKek.from_file(str(path))
    assert error.value.code == code and error.value.details['path'] == str(path)


def test_sealed_private_key_needs_the_kek(tmp_path, kek_path):
    kek = vault_crypto.FileKek.from_file(kek_path)
    key = pki_mod.new_private_key()
    sealed = sealed_key.seal_private_key(key, kek)
    assert sealed.encrypted_pem.startswith(b'-----BEGIN ENCRYPTED PRIVATE KEY-----')
    clear_der = key.private_bytes(pki_mod.serialization.Encoding.DER, pki_mod.serialization.PrivateFormat.PKCS8,
                                  pki_mod.serialization.NoEncryption())
    assert clear_der[-64:] not in sealed.encrypted_pem + sealed.wrapped_passphrase
    unsealed = sealed_key.unseal_private_key(sealed, kek)
    assert unsealed.private_numbers() == key.private_numbers()
    other = vault_crypto.FileKek.from_file(vault_crypto.generate_kek_file(str(tmp_path / 'other.key')))
    with pytest.raises(CustodyError) as error:
        sealed_key.unseal_private_key(sealed, other)
    assert error.value.code == 'kek_mismatch'


def test_pkcs12_import_checks_password_and_pairing():
    demo = pki_mod.build_pki()
    p12 = demo.witness.pkcs12(b'correct horse', chain=demo.chain)
    key, cert, chain = sealed_key.load_pkcs12(p12, b'correct horse')
    assert cert.serial_number == demo.witness.cert.serial_number and len(chain) == 2
    for password in (b'wrong', None):
        with pytest.raises(CustodyError) as error:
            sealed_key.load_pkcs12(p12, password)
        assert error.value.code == 'pkcs12_invalid'
    with pytest.raises(CustodyError) as error:
        sealed_key.load_pkcs12(b'not a pkcs12 file', b'x')
    assert error.value.code == 'pkcs12_invalid'
