"""One PKCS#11 login per token, shared by the uses that overlap (SoftHSM2, throw-away token).

What is observed is the token's own state, through the module's C_GetSessionInfo:
which session handles are open and whether they are logged in.
"""
import ctypes
import os
import threading

import pkcs11
import pytest

from esign_hsm.engine import pkcs11_token, vault_crypto
from esign_hsm.engine.errors import CustodyError
from esign_hsm.testing import softhsm

PIN = '6604-1987-PIN'
TOKEN = 'esign-session-test'
CKS_RO_USER_FUNCTIONS, CKS_RW_USER_FUNCTIONS = 1, 3


class SessionInfo(ctypes.Structure):
    _fields_ = [('slot', ctypes.c_ulong), ('state', ctypes.c_ulong), ('flags', ctypes.c_ulong),
                ('device_error', ctypes.c_ulong)]


MODULE = ctypes.CDLL(os.path.realpath(softhsm.SOFTHSM_MODULE))


def open_sessions():
    """{handle: state} of every session this process has open on the module (SoftHSM2 numbers them from 1)."""
    sessions = {}
    for handle in range(1, 512):
        info = SessionInfo()
        if MODULE.C_GetSessionInfo(ctypes.c_ulong(handle), ctypes.byref(info)) == 0:
            sessions[handle] = info.state
    return sessions


@pytest.fixture(scope='module')
def config(tmp_path_factory):
    softhsm.SoftHsm(tmp_path_factory.mktemp('softhsm')).activate().init_token(TOKEN, PIN)
    config = pkcs11_token.TokenConfig(softhsm.SOFTHSM_MODULE, TOKEN, PIN)
    with pkcs11_token.open_session(config, rw=True) as session:
        pkcs11_token.TokenKek.generate(session, 'shared-kek')
    return config


@pytest.fixture(autouse=True)
def nothing_left_open(config):
    assert open_sessions() == {}
    yield
    assert open_sessions() == {}, 'every session is closed once its last use ends'
    assert pkcs11_token.session_counts()['open_logins'] == 0


def delta(before):
    after = pkcs11_token.session_counts()
    return {name: after[name] - before[name] for name in ('logins', 'failed_logins', 'sessions')}


def test_overlapping_uses_share_one_login_and_sequential_ones_log_in_again(config):
    before = pkcs11_token.session_counts()
    with pkcs11_token.open_session(config) as outer:
        with pkcs11_token.open_session(config) as inner:
            assert inner is outer
            assert pkcs11_token.TokenKek(inner, TOKEN, 'shared-kek').ref.startswith(f'pkcs11:{TOKEN}/shared-kek#')
        assert open_sessions() == {outer._handle: CKS_RO_USER_FUNCTIONS}, 'still logged in for the outer use'
        pkcs11_token.TokenKek(outer, TOKEN, 'shared-kek')
    assert delta(before) == {'logins': 1, 'failed_logins': 0, 'sessions': 1}
    with pkcs11_token.open_session(config):
        pass
    assert delta(before) == {'logins': 2, 'failed_logins': 0, 'sessions': 2}


def test_concurrent_threads_share_one_login(config):
    """Without the session's lock held across a wrap's several calls, SoftHSM2 (initialised by python-pkcs11
    for one thread at a time) fails these with CKR_GENERAL_ERROR."""
    threads, barrier, results, errors = 6, threading.Barrier(6, timeout=30), [], []
    before = pkcs11_token.session_counts()

    def use():
        try:
            with pkcs11_token.open_session(config) as session:
                barrier.wait()  # every thread holds its use at the same time
                for _round in range(5):
                    kek = pkcs11_token.TokenKek(session, TOKEN, 'shared-kek')
                    data = os.urandom(64)
                    blob = vault_crypto.encrypt(data, kek, b'aad')
                    results.append(vault_crypto.decrypt(blob, kek, b'aad') == data)
                barrier.wait()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=use) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert results == [True] * threads * 5
    assert delta(before) == {'logins': 1, 'failed_logins': 0, 'sessions': 1}


def test_a_read_write_use_rides_on_the_read_only_login(config):
    before = pkcs11_token.session_counts()
    with pkcs11_token.open_session(config) as read_only:
        with pkcs11_token.open_session(config, rw=True) as read_write:
            assert read_write is not read_only and read_write.rw
            assert open_sessions() == {read_only._handle: CKS_RO_USER_FUNCTIONS,
                                       read_write._handle: CKS_RW_USER_FUNCTIONS}
            pkcs11_token.TokenKek.generate(read_write, 'rw-kek')
        # Closing the read/write session did not log the process out.
        assert open_sessions() == {read_only._handle: CKS_RO_USER_FUNCTIONS}
        pkcs11_token.TokenKek(read_only, TOKEN, 'rw-kek')
    assert delta(before) == {'logins': 1, 'failed_logins': 0, 'sessions': 2}


def test_a_refused_pin_leaves_no_session_open(config):
    # python-pkcs11 alone leaves the session it opened when the token refuses the PIN ...
    token = pkcs11.lib(os.path.realpath(softhsm.SOFTHSM_MODULE)).get_token(token_label=TOKEN)
    with pytest.raises(pkcs11.exceptions.PinIncorrect):
        token.open(user_pin='0000-wrong')
    leaked = open_sessions()
    assert len(leaked) == 1
    for handle in leaked:
        MODULE.C_CloseSession(ctypes.c_ulong(handle))
    # ... the shared login does not.
    before = pkcs11_token.session_counts()
    wrong = pkcs11_token.TokenConfig(config.module_path, TOKEN, '0000-wrong')
    with pytest.raises(CustodyError) as error:
        with pkcs11_token.open_session(wrong):
            pass
    assert error.value.code == 'wrong_pin'
    assert open_sessions() == {}
    assert delta(before) == {'logins': 0, 'failed_logins': 1, 'sessions': 1}
    with pkcs11_token.open_session(config) as session:
        pkcs11_token.TokenKek(session, TOKEN, 'shared-kek')


def test_another_pin_never_rides_on_a_login(config):
    wrong = pkcs11_token.TokenConfig(config.module_path, TOKEN, '0000-wrong')
    with pkcs11_token.open_session(config) as session:
        with pytest.raises(CustodyError) as error:
            with pkcs11_token.open_session(wrong):
                pass
        assert error.value.code == 'wrong_pin'
        assert open_sessions() == {session._handle: CKS_RO_USER_FUNCTIONS}
        pkcs11_token.TokenKek(session, TOKEN, 'shared-kek')


# python-pkcs11 reports the search it could not end on the dropped session when it is collected.
@pytest.mark.filterwarnings('ignore::pytest.PytestUnraisableExceptionWarning')
def test_a_session_the_hsm_failed_under_is_not_shared_again(config):
    before = pkcs11_token.session_counts()
    with pkcs11_token.open_session(config) as broken:
        MODULE.C_CloseSession(ctypes.c_ulong(broken._handle))  # the HSM drops the session under us
        with pytest.raises(CustodyError) as error:
            with pkcs11_token.open_session(config) as same:
                assert same is broken
                pkcs11_token.TokenKek(same, TOKEN, 'shared-kek')
        assert error.value.code == 'hsm_failure'
        with pkcs11_token.open_session(config) as fresh:
            assert fresh is not broken
            pkcs11_token.TokenKek(fresh, TOKEN, 'shared-kek')
    assert delta(before) == {'logins': 2, 'failed_logins': 0, 'sessions': 2}
