"""PKCS#11: sessions on a token, keys generated inside it, and signing with them.

Every PKCS#11 failure leaves this module as a CustodyError with a stable code
(wrong_pin, token_absent, key_not_found, hsm_failure, ...). Messages name the
module path, token label and key label, never the PIN.

python-pkcs11 loads one PKCS#11 library per process (a second path raises
AlreadyInitialized), so the module is loaded once and shared.

A PKCS#11 login belongs to the application, not to one session: a second
C_Login while a session is logged in fails (CKR_USER_ALREADY_LOGGED_IN), and
python-pkcs11's Session.close() calls C_Logout, which logs out every session
of the process. So the process keeps one logged-in session per token, shared
by every use that overlaps (other threads included; python-pkcs11 serialises
the operations on a session), counted, and closed (logged out) when the last
use ends. A read/write use while a read-only session is shared gets a session
of its own that relies on the shared login. session_counts() tells how many
logins and sessions were opened, for tests and benchmarks.

python-pkcs11 initialises the module with C_Initialize(NULL), which tells it
that no two threads call it at once (SoftHSM2 then drops its own locks, and
concurrent calls fail with CKR_GENERAL_ERROR). python-pkcs11 serialises single
operations with the session's lock; the steps here that take several calls
(a transient key object, wrapped, then destroyed) hold that lock throughout,
and the sessions of one login share it.
"""
import contextlib
import ctypes
import hashlib
import hmac
import os
import threading
from dataclasses import dataclass, field

import pkcs11
from asn1crypto import keys as asn1_keys
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11 import exceptions as p11
from pkcs11.util.ec import encode_ec_public_key, encode_ecdsa_signature, encode_named_curve_parameters
from pyhanko.sign.pkcs11 import PKCS11Signer

from .errors import CustodyError

# Only libraries installed by the system administrator may be loaded: an Odoo
# administrator choosing an arbitrary path (e.g. an uploaded file) would run code
# in the server. The server configuration may widen this (esign_pkcs11_module_dirs).
DEFAULT_MODULE_DIRS = ('/usr/lib/', '/usr/lib64/', '/usr/local/lib/', '/opt/')

KEY_TYPES = {
    'rsa_2048': (KeyType.RSA, 2048),
    'rsa_3072': (KeyType.RSA, 3072),
    'ec_p256': (KeyType.EC, 'secp256r1'),
}

_load_lock = threading.Lock()


@dataclass(frozen=True)
class TokenConfig:
    module_path: str
    token_label: str
    pin: str = field(repr=False)
    module_dirs: tuple = DEFAULT_MODULE_DIRS
    # Directories a module is never loaded from, whatever module_dirs says:
    # the server's data directory, where uploaded files land (filestore).
    forbidden_dirs: tuple = ()


def is_inside(path, directories):
    """Whether the real path of `path` lies in one of `directories` (real paths compared)."""
    real = os.path.realpath(path)
    return any(os.path.commonpath([real, os.path.realpath(directory)]) == os.path.realpath(directory)
               for directory in directories if directory)


def check_module_path(path, module_dirs=DEFAULT_MODULE_DIRS, forbidden_dirs=()):
    """Refuses (CustodyError) a module path that is relative, in a forbidden
    directory, or outside the allowed ones; returns its real path."""
    if not path or not os.path.isabs(path):
        raise CustodyError('module_missing', f'the PKCS#11 module path must be absolute, not {path!r}', module=path)
    real = os.path.realpath(path)
    if is_inside(real, forbidden_dirs):
        raise CustodyError('module_in_data_dir', f'{path} is inside the server data directory',
                           module=path, dirs=', '.join(forbidden_dirs))
    if not any(real.startswith(directory) for directory in module_dirs):
        raise CustodyError('module_not_allowed', f'{path} is outside the allowed directories {module_dirs}',
                           module=path, dirs=', '.join(module_dirs))
    return real


def load_module(path, module_dirs=DEFAULT_MODULE_DIRS, forbidden_dirs=()):
    real = check_module_path(path, module_dirs, forbidden_dirs)
    if not os.path.isfile(real):
        raise CustodyError('module_missing', f'no PKCS#11 module at {path}', module=path)
    with _load_lock:
        try:
            return pkcs11.lib(real)
        except p11.AlreadyInitialized:
            raise CustodyError('module_conflict', f'another PKCS#11 module is already loaded, not {path}',
                               module=path) from None
        except RuntimeError as exc:  # dlopen failure, no C_GetFunctionList, C_Initialize failure
            raise CustodyError('module_invalid', f'{path} did not load as a PKCS#11 module: {exc}',
                               module=path) from None


@contextlib.contextmanager
def hsm_errors(config, key_label=None):
    """Turn PKCS#11 exceptions raised inside into CustodyErrors that name the token and key."""
    token = config.token_label
    try:
        yield
    except CustodyError:
        raise
    except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange):
        raise CustodyError('wrong_pin', f'token {token!r} refused the PIN', token=token) from None
    except (p11.PinLocked, p11.PinExpired):
        raise CustodyError('pin_locked', f'the PIN of token {token!r} is locked', token=token) from None
    except (p11.NoSuchToken, p11.TokenNotPresent, p11.TokenNotRecognised, p11.DeviceRemoved, p11.SlotIDInvalid):
        raise CustodyError('token_absent', f'no token labelled {token!r}', token=token) from None
    except p11.MultipleTokensReturned:
        raise CustodyError('token_ambiguous', f'several tokens are labelled {token!r}', token=token) from None
    except p11.NoSuchKey:
        raise CustodyError('key_not_found', f'no key labelled {key_label!r} in token {token!r}',
                           token=token, key=key_label) from None
    except p11.MultipleObjectsReturned:
        raise CustodyError('key_ambiguous', f'several keys labelled {key_label!r} in token {token!r}',
                           token=token, key=key_label) from None
    except p11.PKCS11Error as exc:
        # Session or key handle gone, device error, token finalised: the HSM failed under us.
        raise CustodyError('hsm_failure', f'the HSM failed ({type(exc).__name__}) on token {token!r}',
                           token=token, error=type(exc).__name__) from None


# ---------------------------------------------------------------- shared logins

_sessions_lock = threading.Lock()
_shared = {}  # (module real path, token label) -> _SharedLogin
_counts = {'logins': 0, 'failed_logins': 0, 'sessions': 0}

# C_Login's place in CK_FUNCTION_LIST (PKCS#11 v2.40 section 5.15), after the CK_VERSION.
_C_LOGIN_INDEX = 18
_CKU_USER = 1
_CKR_USER_ALREADY_LOGGED_IN = 0x100
_LOGIN_ERRORS = {0xA0: p11.PinIncorrect, 0xA1: p11.PinInvalid, 0xA2: p11.PinLenRange, 0xA3: p11.PinExpired,
                 0xA4: p11.PinLocked, 0xE0: p11.TokenNotPresent, 0x32: p11.DeviceRemoved}
_c_login_functions = {}


class _SharedLogin:
    def __init__(self, key, session, pin):
        self.key = key
        self.session = session
        self.pin_digest = _pin_digest(pin)
        self.users = 0
        self.broken = False


def _pin_digest(pin):
    return hashlib.sha256(b'esign-pkcs11-pin:' + pin.encode('utf-8')).digest()


def session_counts():
    """How many logins (successful and refused) and PKCS#11 sessions this process has opened, and how many
    tokens it is logged in to now: compare two readings to count what an operation cost."""
    with _sessions_lock:
        return dict(_counts, open_logins=len(_shared))


def _c_login(module_path):
    """C_Login of the module, from its function list. python-pkcs11 only logs in inside Token.open(), which
    leaves the session it opened open when the PIN is refused, and nothing can close that session then;
    logging in here on a session opened without a PIN lets a refused login close its session."""
    function = _c_login_functions.get(module_path)
    if function is None:
        library = ctypes.CDLL(module_path)  # the same handle python-pkcs11 holds: already initialised
        function_list = ctypes.POINTER(ctypes.c_void_p)()
        library.C_GetFunctionList.argtypes = [ctypes.POINTER(ctypes.POINTER(ctypes.c_void_p))]
        library.C_GetFunctionList.restype = ctypes.c_ulong
        if library.C_GetFunctionList(ctypes.byref(function_list)):
            raise p11.GeneralError()
        # CK_FUNCTION_LIST starts with a CK_VERSION (two bytes), padded to the first pointer.
        address = function_list[1 + _C_LOGIN_INDEX]
        prototype = ctypes.CFUNCTYPE(ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_ulong)
        function = _c_login_functions[module_path] = prototype(address)
    return function


def _login(module_path, token, pin, rw):
    """A new session on token, logged in with pin; no session is left open when the token refuses."""
    session = token.open(rw=rw)
    _counts['sessions'] += 1
    pin_bytes = pin.encode('utf-8')
    try:
        rv = _c_login(module_path)(session._handle, _CKU_USER, pin_bytes, len(pin_bytes))
    except BaseException:
        with contextlib.suppress(p11.PKCS11Error):
            session.close()
        raise
    if rv == _CKR_USER_ALREADY_LOGGED_IN:
        # Something outside this module logged the process in: use that login, leave logging out to it.
        _counts['logins'] += 1
        return session
    if rv:
        _counts['failed_logins'] += 1
        with contextlib.suppress(p11.PKCS11Error):
            session.close()  # opened without a PIN: only C_CloseSession, no C_Logout
        raise _LOGIN_ERRORS.get(rv, p11.GeneralError)()
    _counts['logins'] += 1
    session.user_type = pkcs11.UserType.USER  # so that closing it logs out
    return session


def _acquire(config, rw):
    lib = load_module(config.module_path, config.module_dirs, config.forbidden_dirs)
    module_path = os.path.realpath(config.module_path)
    key = (module_path, config.token_label)
    with _sessions_lock:
        shared = _shared.get(key)
        if shared is not None and shared.broken:
            del _shared[key]  # its users still hold it; the last one closes it
            shared = None
        if shared is None:
            with hsm_errors(config):
                token = lib.get_token(token_label=config.token_label)
                session = _login(module_path, token, config.pin, rw)
            shared = _shared[key] = _SharedLogin(key, session, config.pin)
        elif not hmac.compare_digest(shared.pin_digest, _pin_digest(config.pin)):
            # The token cannot check a PIN while the process is logged in: another PIN is a wrong one,
            # and never rides on the login made with the right one.
            _counts['failed_logins'] += 1
            raise CustodyError('wrong_pin', f'token {config.token_label!r} refused the PIN',
                               token=config.token_label)
        shared.users += 1
        return shared


def _release(shared):
    with _sessions_lock:
        shared.users -= 1
        if shared.users:
            return
        current = _shared.get(shared.key)
        if current is shared:
            del _shared[shared.key]
        elif current is not None and shared.session.user_type != pkcs11.UserType.NOBODY:
            # A newer login replaced this broken one: C_Logout here would log that one out too (a login
            # is the process's), so the newer session takes over logging out.
            shared.session.user_type = pkcs11.UserType.NOBODY
            current.session.user_type = pkcs11.UserType.USER
        with contextlib.suppress(p11.PKCS11Error):
            shared.session.close()  # C_Logout, then C_CloseSession


def acquire_session(config, rw=False):
    """(session, release): a logged-in session on the token named by config, shared with the other uses
    of that token in this process, and the function to call exactly once when done with it.

    Errors of PKCS#11 calls made with the session come out as CustodyErrors inside use_session()."""
    if not config.pin:
        raise CustodyError('pin_missing', f'no PIN available for token {config.token_label!r}',
                           token=config.token_label)
    shared = _acquire(config, rw)
    if not rw or shared.session.rw:
        return shared.session, lambda: _release(shared)
    try:
        with hsm_errors(config), serialised(shared.session):
            # The process is logged in to the token: a session opened now shares that login (no PIN).
            session = shared.session.token.open(rw=True)
            session._operation_lock = shared.session._operation_lock  # one login, one caller at a time
        with _sessions_lock:
            _counts['sessions'] += 1
    except BaseException:
        _release(shared)
        raise

    def release():
        try:
            with contextlib.suppress(p11.PKCS11Error), serialised(session):
                session.close()
        finally:
            _release(shared)
    return session, release


@contextlib.contextmanager
def use_session(config, session, key_label=None):
    """PKCS#11 errors raised inside become CustodyErrors; a session the HSM failed under is shared no more."""
    with hsm_errors(config, key_label):
        try:
            yield session
        except p11.PKCS11Error as exc:
            if not isinstance(exc, (p11.NoSuchKey, p11.MultipleObjectsReturned)):
                _discard(session)
            raise


def serialised(session):
    """The lock python-pkcs11 takes around each operation on session (reentrant): hold it for several calls."""
    return session._operation_lock


def _discard(session):
    with _sessions_lock:
        for shared in _shared.values():
            if shared.session is session:
                shared.broken = True


@contextlib.contextmanager
def open_session(config, rw=False):
    """A logged-in session on the token named by config (shared, see above); given back on exit."""
    session, release = acquire_session(config, rw)
    try:
        with use_session(config, session):
            yield session
    finally:
        release()


def _key_filter(label=None, key_id=None):
    if not label and not key_id:
        raise CustodyError('key_not_found', 'no key label or id given', key=label)
    return {'label': label or None, 'id': key_id or None}


def find_private_key(session, label=None, key_id=None):
    try:
        return session.get_key(ObjectClass.PRIVATE_KEY, **_key_filter(label, key_id))
    except p11.NoSuchKey:
        raise CustodyError('key_not_found', f'no private key labelled {label!r} in the token', key=label) from None
    except p11.MultipleObjectsReturned:
        raise CustodyError('key_ambiguous', f'several private keys labelled {label!r}', key=label) from None


def public_key_info(session, label=None, key_id=None):
    """asn1crypto PublicKeyInfo of the key pair's public half, read from the token."""
    with serialised(session):
        return _public_key_info(session, label, key_id)


def _public_key_info(session, label, key_id):
    try:
        public = session.get_key(ObjectClass.PUBLIC_KEY, **_key_filter(label, key_id))
    except p11.NoSuchKey:
        raise CustodyError('key_not_found', f'no public key labelled {label!r} in the token', key=label) from None
    if public.key_type == KeyType.RSA:
        return asn1_keys.PublicKeyInfo({
            'algorithm': {'algorithm': 'rsa'},
            'public_key': asn1_keys.RSAPublicKey({
                'modulus': int.from_bytes(public[Attribute.MODULUS], 'big'),
                'public_exponent': int.from_bytes(public[Attribute.PUBLIC_EXPONENT], 'big'),
            }),
        })
    if public.key_type == KeyType.EC:
        return asn1_keys.PublicKeyInfo.load(encode_ec_public_key(public))
    raise CustodyError('unsupported_key_type', f'unsupported key type {public.key_type!r}', key=label)


def key_exists(session, label):
    return any(True for _obj in session.get_objects({Attribute.LABEL: label}))


def generate_signing_key(session, label, key_type='rsa_3072'):
    """Generate a key pair inside the token: private half sensitive and never extractable.

    Returns (key id, asn1crypto PublicKeyInfo). The session must be read/write.
    """
    if key_type not in KEY_TYPES:
        raise CustodyError('unsupported_key_type', f'unsupported key type {key_type!r}', key=label)
    if key_exists(session, label):
        raise CustodyError('key_exists', f'the token already holds an object labelled {label!r}', key=label)
    with serialised(session):
        return _generate_signing_key(session, label, key_type)


def _generate_signing_key(session, label, key_type):
    kind, size = KEY_TYPES[key_type]
    key_id = os.urandom(16)
    private_template = {Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False, Attribute.PRIVATE: True}
    options = dict(id=key_id, label=label, store=True, capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
                   private_template=private_template)
    if kind == KeyType.EC:
        params = session.create_domain_parameters(
            KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters(size)}, local=True)
        params.generate_keypair(**options)
    else:
        session.generate_keypair(KeyType.RSA, size, **options)
    return key_id, public_key_info(session, label, key_id)


def sign_with_key(private_key, data, digest='sha256'):
    """Raw signature of data (PKCS#1 v1.5 for RSA, DER ECDSA for EC), e.g. for a CSR or a connection test."""
    if private_key.key_type == KeyType.RSA:
        mechanism = {'sha256': Mechanism.SHA256_RSA_PKCS, 'sha384': Mechanism.SHA384_RSA_PKCS,
                     'sha512': Mechanism.SHA512_RSA_PKCS}[digest]
        return private_key.sign(data, mechanism=mechanism)
    if private_key.key_type == KeyType.EC:
        # SoftHSM2 has no hash-and-sign ECDSA mechanisms: hash here, sign raw.
        return encode_ecdsa_signature(private_key.sign(hashlib.new(digest, data).digest(), mechanism=Mechanism.ECDSA))
    raise CustodyError('unsupported_key_type', f'unsupported key type {private_key.key_type!r}')


def witness_signer(session, *, signing_cert, chain, key_label=None, key_id=None):
    """A pyHanko PKCS11Signer for the key, carrying its certificate and chain (asn1crypto objects).

    The key handle is looked up now, and the token's public key compared with the
    certificate's, so that a missing or wrong key fails before any document is touched.
    """
    with serialised(session):
        return _witness_signer(session, signing_cert, chain, key_label, key_id)


def _witness_signer(session, signing_cert, chain, key_label, key_id):
    token_public = public_key_info(session, key_label, key_id)
    if token_public.dump() != signing_cert.public_key.dump():
        raise CustodyError('cert_key_mismatch', f'the certificate does not belong to key {key_label!r}',
                           key=key_label)
    private_key = find_private_key(session, key_label, key_id)
    signer = PKCS11Signer(session, key_label=key_label, key_id=key_id, signing_cert=signing_cert,
                          ca_chain=list(chain), other_certs_to_pull=(),
                          use_raw_mechanism=private_key.key_type == KeyType.EC)
    signer.signing_cert  # noqa: B018 -- reading the property makes pyHanko look up the key handle now
    return signer


class TokenKek:
    """A key-encryption key that lives in the token (AES-256, never extractable): the HSM wraps data keys.

    Same interface as vault_crypto.FileKek. Wrapping uses CKM_AES_KEY_WRAP
    (RFC 3394) on a transient session object holding the data key.
    """

    def __init__(self, session, token_label, label):
        self._session = session
        with serialised(session):
            try:
                self._key = session.get_key(ObjectClass.SECRET_KEY, KeyType.AES, label=label)
            except p11.NoSuchKey:
                raise CustodyError('key_not_found', f'no key-encryption key labelled {label!r} in token '
                                                    f'{token_label!r}', token=token_label, key=label) from None
            self.ref = f'pkcs11:{token_label}/{label}#{self._key[Attribute.ID].hex()}'

    def __repr__(self):
        return f'<TokenKek {self.ref}>'

    @property
    def session(self):
        return self._session

    @staticmethod
    def generate(session, label):
        with serialised(session):
            if key_exists(session, label):
                raise CustodyError('key_exists', f'the token already holds an object labelled {label!r}',
                                   key=label)
            return session.generate_key(
                KeyType.AES, 256, id=os.urandom(16), label=label, store=True,
                capabilities=MechanismFlag.WRAP | MechanismFlag.UNWRAP,
                template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False})

    def wrap(self, key):
        with serialised(self._session):
            transient = self._session.create_object({
                Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.KEY_TYPE: KeyType.AES, Attribute.VALUE: key,
                Attribute.TOKEN: False, Attribute.SENSITIVE: False, Attribute.EXTRACTABLE: True})
            try:
                return self._key.wrap_key(transient, mechanism=Mechanism.AES_KEY_WRAP)
            finally:
                transient.destroy()

    def unwrap(self, wrapped):
        with serialised(self._session):
            return self._unwrap(wrapped)

    def _unwrap(self, wrapped):
        try:
            transient = self._key.unwrap_key(
                ObjectClass.SECRET_KEY, KeyType.AES, wrapped, mechanism=Mechanism.AES_KEY_WRAP, store=False,
                template={Attribute.SENSITIVE: False, Attribute.EXTRACTABLE: True})
        except (p11.WrappedKeyInvalid, p11.WrappedKeyLenRange, p11.EncryptedDataInvalid, p11.GeneralError):
            raise CustodyError('wrong_kek', 'the HSM key-encryption key does not unwrap this data key') from None
        try:
            return transient[Attribute.VALUE]
        finally:
            transient.destroy()
