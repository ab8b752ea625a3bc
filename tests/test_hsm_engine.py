"""The witness key inside a real PKCS#11 token (SoftHSM2, throw-away token per run).

A key generated in the token signs a CSR, the test CA certifies it, and a PDF
signed through pyHanko's PKCS11Signer validates with pdfsig and with pyHanko.
Every fault gives its own code and never prints the PIN.
"""
import logging

import pytest
from pkcs11 import Attribute

from esign_hsm.engine import csr, pkcs11_token, signers, vault_crypto
from esign_hsm.testing import pdf_checks, softhsm
from esign_hsm.testing import pki as pki_mod
from esign_hsm.engine.errors import CustodyError

PIN = '4719-2250-PIN'  # distinctive, so that the log check below cannot miss it
TOKEN = 'esign-engine-test'


@pytest.fixture(scope='module')
def hsm(tmp_path_factory):
    hsm = softhsm.SoftHsm(tmp_path_factory.mktemp('softhsm')).activate()
    hsm.init_token(TOKEN, PIN)
    return hsm


@pytest.fixture(scope='module')
def config(hsm):
    return pkcs11_token.TokenConfig(softhsm.SOFTHSM_MODULE, TOKEN, PIN)


@pytest.fixture(scope='module')
def demo_pki():
    return pki_mod.build_pki()


def _certify(config, demo_pki, label, key_type='rsa_2048'):
    """Generate the key in the token, send its CSR to the test CA, return the issued certificate."""
    with pkcs11_token.open_session(config, rw=True) as session:
        _key_id, public = pkcs11_token.generate_signing_key(session, label, key_type)
        private = pkcs11_token.find_private_key(session, label)
        request = csr.build_csr(csr.subject_name(common_name='デモ市 電子契約', organization='デモ市', country='JP'),
                                public, lambda data: pkcs11_token.sign_with_key(private, data))
    return demo_pki.issue_from_csr(request)


def _sign_pdf(signer):
    return pdf_checks.sign_pdf(signer, pdf_checks.one_page_pdf('HSM witness signature'))


def _signer(session, issued, demo_pki, label):
    return pkcs11_token.witness_signer(session, signing_cert=signers.to_asn1_cert(issued.cert),
                                       chain=[signers.to_asn1_cert(c.cert) for c in demo_pki.chain], key_label=label)


def _assert_valid(pdf, demo_pki, common_name='デモ市 電子契約'):
    signature, = pdf_checks.assert_pdfsig_verdict(pdf, [demo_pki.root.cert], ['Witness'])  # trusted chain
    assert signature.signer == common_name, signature
    status = pdf_checks.pyhanko_status(pdf, demo_pki.root.cert)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()


@pytest.mark.parametrize('key_type', ['rsa_3072', 'ec_p256'])
def test_key_made_in_the_token_signs_a_pdf_that_validates(config, demo_pki, key_type):
    label = f'witness-{key_type}'
    issued = _certify(config, demo_pki, label, key_type)
    with pkcs11_token.open_session(config) as session:
        private = pkcs11_token.find_private_key(session, label)
        assert private[Attribute.SENSITIVE] and not private[Attribute.EXTRACTABLE]
        assert private[Attribute.NEVER_EXTRACTABLE] and private[Attribute.ALWAYS_SENSITIVE]
        pdf = _sign_pdf(_signer(session, issued, demo_pki, label))
    _assert_valid(pdf, demo_pki)


def test_software_signer_from_the_same_pki_validates(demo_pki):
    signer = signers.software_signer(demo_pki.witness.key, demo_pki.witness.cert, [c.cert for c in demo_pki.chain])
    _assert_valid(_sign_pdf(signer), demo_pki, common_name='Demo Witness Signing')


def test_token_kek_wraps_data_keys_inside_the_hsm(config):
    with pkcs11_token.open_session(config, rw=True) as session:
        pkcs11_token.TokenKek.generate(session, 'vault-kek')
        kek = pkcs11_token.TokenKek(session, TOKEN, 'vault-kek')
        blob = vault_crypto.encrypt(b'contract bytes', kek, b'blob-7')
        assert kek.ref.startswith(f'pkcs11:{TOKEN}/vault-kek#')
        assert vault_crypto.decrypt(blob, kek, b'blob-7') == b'contract bytes'
        pkcs11_token.TokenKek.generate(session, 'other-kek')
        with pytest.raises(CustodyError) as error:
            pkcs11_token.TokenKek(session, TOKEN, 'other-kek').unwrap(blob.wrapped_key)
        assert error.value.code == 'wrong_kek'
        with pytest.raises(CustodyError) as error:
            pkcs11_token.TokenKek.generate(session, 'vault-kek')
        assert error.value.code == 'key_exists'


def _code(config, action=lambda session: None):
    with pytest.raises(CustodyError) as error:
        with pkcs11_token.open_session(config) as session:
            action(session)
    return error.value


def test_faults_have_their_own_codes(config, hsm, caplog):
    caplog.set_level(logging.DEBUG)
    wrong_pin = _code(pkcs11_token.TokenConfig(config.module_path, TOKEN, '0000-wrong'))
    assert wrong_pin.code == 'wrong_pin' and wrong_pin.details['token'] == TOKEN
    assert _code(pkcs11_token.TokenConfig(config.module_path, TOKEN, '')).code == 'pin_missing'
    assert _code(pkcs11_token.TokenConfig('/usr/lib/softhsm/libnothere.so', TOKEN, PIN)).code == 'module_missing'
    assert _code(pkcs11_token.TokenConfig('/tmp/libsofthsm2.so', TOKEN, PIN)).code == 'module_not_allowed'
    absent = _code(pkcs11_token.TokenConfig(config.module_path, 'no-such-token', PIN))
    assert absent.code == 'token_absent' and absent.details['token'] == 'no-such-token'
    missing_key = _code(config, lambda session: pkcs11_token.find_private_key(session, 'no-such-key'))
    assert missing_key.code == 'key_not_found' and missing_key.details['key'] == 'no-such-key'
    assert PIN not in caplog.text and PIN not in repr(config)


def test_certificate_of_another_key_is_refused(config, demo_pki):
    issued = _certify(config, demo_pki, 'witness-a')
    _certify(config, demo_pki, 'witness-b')
    error = _code(config, lambda session: _signer(session, issued, demo_pki, 'witness-b'))
    assert error.code == 'cert_key_mismatch'


def test_token_removed_in_the_middle_of_signing(config, hsm, demo_pki, caplog):
    caplog.set_level(logging.DEBUG)
    hsm.init_token('esign-removable', PIN)
    removable = pkcs11_token.TokenConfig(config.module_path, 'esign-removable', PIN)
    issued = _certify(removable, demo_pki, 'witness')
    with pytest.raises(CustodyError) as error:
        with pkcs11_token.open_session(removable) as session:
            signer = _signer(session, issued, demo_pki, 'witness')
            hsm.delete_token('esign-removable')  # the key handle and session die under the signer
            _sign_pdf(signer)
    assert error.value.code == 'hsm_failure' and error.value.details['token'] == 'esign-removable'
    assert _code(removable).code == 'token_absent'
    assert PIN not in caplog.text
