import base64
import collections
import contextlib
import logging
import os

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config
from odoo.tools.translate import LazyTranslate

from ..engine import csr, pkcs11_token, sealed_key, signers, vault_crypto
from ..engine.errors import CustodyError

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

# What the clerk reads for each engine error code (engine/errors.py); %(...)s are safe details.
MESSAGES = {
    'kek_not_configured': _lt(
        'No key-encryption key is configured. The server administrator must set esign_kek_file in the Odoo '
        'configuration file (see README).'),
    'kek_file_missing': _lt(
        'The key-encryption key file %(path)s does not exist. The server administrator must restore it: without it '
        'no encrypted document can be read.'),
    'kek_file_unreadable': _lt('The Odoo server cannot read the key-encryption key file %(path)s.'),
    'kek_file_invalid': _lt(
        'The key-encryption key file %(path)s does not hold a valid key (32 random bytes in base64).'),
    'kek_mismatch': _lt(
        'This data was encrypted under another key-encryption key (%(expected)s) than the one configured '
        '(%(configured)s). The server administrator must restore the original key.'),
    'wrong_kek': _lt(
        'The key-encryption key cannot open this data: it is not the key the data was encrypted with.'),
    'tampered': _lt('The encrypted data has been altered or does not belong to this record, so it cannot be read.'),
    'module_missing': _lt('No PKCS#11 module was found at "%(module)s". Check the module path in Settings.'),
    'module_not_allowed': _lt(
        'The PKCS#11 module "%(module)s" is outside the directories the server allows (%(dirs)s).'),
    'module_in_data_dir': _lt(
        'The PKCS#11 module "%(module)s" is inside the Odoo server\'s data directory (%(dirs)s), where uploaded '
        'files are stored: a module is never loaded from there. Install the HSM vendor\'s module in a system '
        'directory such as /usr/lib.'),
    'module_invalid': _lt('"%(module)s" could not be loaded as a PKCS#11 module.'),
    'module_conflict': _lt(
        'Another PKCS#11 module is already loaded in this Odoo server. Restart the server after changing the '
        'module path.'),
    'token_absent': _lt(
        'The HSM token "%(token)s" is not available. Check that the HSM is connected and the token label in '
        'Settings.'),
    'token_ambiguous': _lt('Several HSM tokens are labelled "%(token)s". Give the token a unique label.'),
    'pin_missing': _lt(
        'No PIN is available for the HSM token "%(token)s". Put it in the environment variable or the file named in '
        'Settings, for the Odoo server process.'),
    'wrong_pin': _lt(
        'The HSM token "%(token)s" refused the PIN. Correct the PIN in the environment variable or the file named '
        'in Settings.'),
    'pin_locked': _lt('The PIN of the HSM token "%(token)s" is locked. The HSM administrator must unlock it.'),
    'key_not_found': _lt('No key labelled "%(key)s" was found in the HSM token "%(token)s".'),
    'key_ambiguous': _lt('Several keys are labelled "%(key)s" in the HSM token "%(token)s".'),
    'key_exists': _lt('The HSM token already holds a key labelled "%(key)s". Choose another label.'),
    'unsupported_key_type': _lt('This type of key is not supported.'),
    'hsm_failure': _lt(
        'The HSM failed during the operation (%(error)s). Nothing was signed or saved. Try again, and contact the '
        'HSM administrator if it happens again.'),
    'cert_invalid': _lt('The file does not contain a readable certificate.'),
    'cert_key_mismatch': _lt('The certificate does not belong to this key.'),
    'pkcs12_invalid': _lt('The PKCS#12 file could not be opened: the password is wrong or the file is damaged.'),
}
assert set(MESSAGES) == CustodyError.CODES

_warned_kek_paths = set()

# The cursor attribute holding the open KEK scope (see EsignKeyCustody._kek_scope).
KEK_SCOPE_ATTR = '_esign_kek_scope'


class _KekScope:
    """The KEKs resolved in one _kek_scope block: FileKek, or (TokenKek, token config) whose session the
    stack gives back on exit."""

    def __init__(self, company_ids):
        self.company_ids = company_ids  # None: every company
        self.keks = {}
        self.stack = contextlib.ExitStack()
        self.resolutions = 0  # how many KEKs were resolved (for tests)

    def covers(self, company):
        return self.company_ids is None or company.id in self.company_ids

    def cover(self, company_ids):
        if self.company_ids is not None:
            self.company_ids = None if company_ids is None else self.company_ids | company_ids


def _b64(data):
    return base64.b64encode(data)


class EsignKeyCustody(models.AbstractModel):
    """Where other parts get the witness signer and the key-encryption key (see interfaces.md).

    Holds no data itself: keys are esign.witness.key records (certificates in
    certificate.certificate, software keys sealed in certificate.key), settings are
    on res.company, and the KEK is a file named by the server configuration or a
    key in the HSM.
    """
    _name = 'esign.key.custody'
    _description = 'Witness key and key-encryption key custody'

    # ------------------------------------------------------------------ errors

    def _user_error(self, error, **context):
        params = collections.defaultdict(str, context)
        params.update(error.details)
        _logger.warning('key custody: %s (%s)', error, error.code)  # engine messages carry no secret
        return UserError(self.env._(MESSAGES[error.code]) % params)

    @contextlib.contextmanager
    def _custody_errors(self, **context):
        """CustodyError raised inside becomes a translated UserError; context fills missing details."""
        try:
            yield
        except CustodyError as error:
            raise self._user_error(error, **context) from error

    # ------------------------------------------------------------------ the witness signer

    @contextlib.contextmanager
    def _witness_signer(self, company=None):
        """pyHanko Signer of the company's active witness key, with its certificate chain.

        Whatever the block writes to the database is rolled back when it fails
        (an HSM failing mid-signing included), and HSM faults come out as a
        translated UserError.
        """
        company = company or self.env.company
        key = self._active_witness_key(company)
        with key._open_signer() as signer, self.env.cr.savepoint():
            _logger.info('witness signer: key %s (%s) for company %s, user %s', key.id, key.backend, company.id,
                         self.env.uid)
            yield signer

    def _active_witness_key(self, company):
        key = self.env['esign.witness.key'].sudo().search(
            [('company_id', '=', company.id), ('state', '=', 'active')], limit=1)
        if not key:
            raise UserError(self.env._(
                'No witness certificate is active for %s. An administrator must set one up in Settings: import a '
                'PKCS#12 file, or certify a key generated in the HSM.', company.name))
        return key

    # ------------------------------------------------------------------ HSM sessions

    def _read_pin(self, company):
        """The PIN from the environment or a file of the server, never from the database."""
        if company.esign_pkcs11_pin_source == 'file':
            path = company.esign_pkcs11_pin_file
            try:
                with open(path, encoding='utf-8') as pin_file:
                    return pin_file.read(256).rstrip('\r\n')
            except (OSError, TypeError, UnicodeDecodeError):
                return ''
        return os.environ.get(company.esign_pkcs11_pin_env or '', '')

    def _token_config(self, company, token_label=None):
        token_label = token_label or company.esign_pkcs11_token_label
        if not company.esign_pkcs11_module or not token_label:
            raise UserError(self.env._('Set the PKCS#11 module path and the HSM token label in Settings first.'))
        dirs = config.get('esign_pkcs11_module_dirs')
        module_dirs = (tuple(os.path.join(path.strip(), '') for path in dirs.split(',') if path.strip())
                       if dirs else pkcs11_token.DEFAULT_MODULE_DIRS)
        return pkcs11_token.TokenConfig(company.esign_pkcs11_module, token_label, self._read_pin(company),
                                        module_dirs, self._pkcs11_forbidden_dirs())

    @api.model
    def _pkcs11_forbidden_dirs(self):
        """Where no PKCS#11 module is loaded from, whatever esign_pkcs11_module_dirs allows: Odoo's data
        directory (the filestore of every database, sessions), which holds files users upload."""
        return tuple(path for path in (config.get('data_dir'), config.filestore(self.env.cr.dbname)) if path)

    @contextlib.contextmanager
    def _hsm_session(self, company, rw=False, token_label=None, key_label=None):
        token_config = self._token_config(company, token_label)
        with self._custody_errors(token=token_config.token_label, module=token_config.module_path, key=key_label):
            with pkcs11_token.open_session(token_config, rw=rw) as session:
                yield session

    # ------------------------------------------------------------------ key-encryption key

    def _file_kek(self):
        path = config.get('esign_kek_file')
        if not path:
            raise CustodyError('kek_not_configured', 'esign_kek_file is not set in the server configuration')
        kek = vault_crypto.FileKek.from_file(path)
        if path not in _warned_kek_paths and not vault_crypto.kek_file_is_private(path):
            _warned_kek_paths.add(path)
            _logger.warning('the key-encryption key file %s is readable by other users: chmod 600 it', path)
        return kek

    def _hsm_kek_label(self, company):
        return company.esign_key_backend == 'pkcs11' and company.esign_pkcs11_kek_label

    @contextlib.contextmanager
    def _kek_scope(self, companies=None):
        """Within the block, each KEK is resolved once (the key file read once, the HSM logged in to once)
        and kept until the block ends, whatever wraps, unwraps, seals or unseals inside it: one signature
        completion, one batch of documents. `companies` (res.company records) limits the scope to their KEKs
        (others are resolved per use, as outside a scope); None: every company's.

        The scope lives on the cursor, so the whole transaction shares it (sudo and other environments
        included) and nothing outlives it; a nested scope joins the outer one. On exit, even by an
        exception, the HSM sessions are given back and the key material is dropped."""
        cr = self.env.cr
        scope = vars(cr).get(KEK_SCOPE_ATTR)  # not getattr: a test cursor forwards unknown names to another
        company_ids = None if companies is None else set(companies.ids)
        if scope is not None:
            scope.cover(company_ids)
            yield scope
            return
        scope = _KekScope(company_ids)
        setattr(cr, KEK_SCOPE_ATTR, scope)
        try:
            with scope.stack:
                yield scope
        finally:
            vars(cr).pop(KEK_SCOPE_ATTR, None)
            scope.keks.clear()

    def _open_kek_scope(self, company):
        """The open scope that covers company, if any."""
        scope = vars(self.env.cr).get(KEK_SCOPE_ATTR)
        return scope if scope is not None and scope.covers(company) else None

    @contextlib.contextmanager
    def _key_file_kek(self, company):
        scope = self._open_kek_scope(company)
        if scope is None:
            with self._custody_errors():
                yield self._file_kek()
            return
        key = ('file', config.get('esign_kek_file'))
        if key not in scope.keks:
            with self._custody_errors():
                scope.keks[key] = self._file_kek()
            scope.resolutions += 1
        with self._custody_errors():
            yield scope.keks[key]

    @contextlib.contextmanager
    def _token_kek(self, company, token_label, label):
        scope = self._open_kek_scope(company)
        if scope is None:
            with self._hsm_session(company, token_label=token_label, key_label=label) as session:
                yield pkcs11_token.TokenKek(session, token_label, label)
            return
        key = ('pkcs11', company.id, token_label, label)
        if key not in scope.keks:
            token_config = self._token_config(company, token_label)
            errors = {'token': token_label, 'module': token_config.module_path, 'key': label}
            with self._custody_errors(**errors):
                session, release = pkcs11_token.acquire_session(token_config)
            scope.stack.callback(release)
            with self._custody_errors(**errors), pkcs11_token.use_session(token_config, session, label):
                scope.keks[key] = (pkcs11_token.TokenKek(session, token_label, label), token_config)
            scope.resolutions += 1
        kek, token_config = scope.keks[key]
        with self._custody_errors(token=token_label, module=token_config.module_path, key=label), \
                pkcs11_token.use_session(token_config, kek.session, label):
            yield kek

    @contextlib.contextmanager
    def _current_kek(self, company):
        """The KEK new data is wrapped with: the company's HSM KEK when set, else the key file."""
        label = self._hsm_kek_label(company)
        if label:
            with self._token_kek(company, company.esign_pkcs11_token_label, label) as kek:
                yield kek
        else:
            with self._key_file_kek(company) as kek:
                yield kek

    @contextlib.contextmanager
    def _kek_for_ref(self, kek_ref, company):
        """The KEK that wrapped data recorded with kek_ref (a mismatch is reported when unwrapping)."""
        if kek_ref.startswith('pkcs11:'):
            token_label, rest = kek_ref[len('pkcs11:'):].split('/', 1)
            label = rest.rsplit('#', 1)[0]
            with self._token_kek(company, token_label, label) as kek:
                yield kek
        else:
            with self._key_file_kek(company) as kek:
                yield kek

    # ------------------------------------------------------------------ small secrets of other addons

    def _seal_secret(self, company, plaintext, context):
        """Text that keeps `plaintext` (bytes, e.g. a TSA password) encrypted like
        the documents: under a data key wrapped by the company's current KEK.
        `context` ('model,id,what') binds it to its record."""
        with self._current_kek(company) as kek, self._custody_errors():
            return vault_crypto.seal_secret(plaintext, kek, context)

    def _unseal_secret(self, company, text, context):
        """The bytes sealed by _seal_secret; a clear UserError when the KEK is
        missing or another, or the value was altered or moved to another record."""
        with self._custody_errors():
            sealed = vault_crypto.sealed_secret(text)
        with self._kek_for_ref(sealed.kek_ref, company) as kek, self._custody_errors():
            return vault_crypto.decrypt(sealed, kek, context.encode())

    # ------------------------------------------------------------------ storing keys and certificates

    def _seal_private_key(self, company, private_key, name):
        """A certificate.key holding private_key sealed under the company's current KEK."""
        with self._current_kek(company) as kek:
            sealed = sealed_key.seal_private_key(private_key, kek)
        return self.env['certificate.key'].sudo().create({
            'name': name,
            'content': _b64(sealed.encrypted_pem),
            'esign_sealed': True,
            'esign_kek_ref': sealed.kek_ref,
            'esign_wrapped_passphrase': _b64(sealed.wrapped_passphrase),
            'esign_public_pem': _b64(sealed_key.public_key_pem(private_key)),
            'company_id': company.id,
        })

    def _certificate_record(self, company, cert, name, private_key=None):
        """The certificate.certificate of cert (a cryptography certificate), reused when already stored."""
        Certificate = self.env['certificate.certificate'].sudo().with_context(active_test=False)
        pem = cert.public_bytes(serialization.Encoding.PEM)
        for existing in Certificate.search([('company_id', '=', company.id),
                                            ('serial_number', '=', str(cert.serial_number))]):
            if base64.b64decode(existing.with_context(bin_size=False).pem_certificate) == pem and (
                    private_key is None or existing.private_key_id):
                return existing
        return Certificate.create({
            'name': name,
            'content': _b64(pem),
            'company_id': company.id,
            'private_key_id': private_key and self._seal_private_key(company, private_key, f'{name} (key)').id,
        })

    @api.model
    def _load_certificate(self, record):
        pem = record.sudo().with_context(bin_size=False).pem_certificate
        return x509.load_pem_x509_certificate(base64.b64decode(pem))

    # ------------------------------------------------------------------ software backend

    def _import_pkcs12(self, company, data, password, name=None, activate=True):
        """A software witness key from a PKCS#12 file; the password is used here and never stored."""
        with self._custody_errors():
            private_key, cert, chain = sealed_key.load_pkcs12(data, password)
        name = name or cert.subject.rfc4514_string()
        key = self._software_witness_key(company, private_key, cert, chain, name)
        if activate:
            key._activate()
        return key

    def _software_witness_key(self, company, private_key, cert, chain, name, is_demo=False):
        leaf = self._certificate_record(company, cert, name, private_key=private_key)
        return self.env['esign.witness.key'].sudo().create({
            'name': name,
            'company_id': company.id,
            'backend': 'software',
            'state': 'ready',
            'certificate_id': leaf.id,
            'chain_certificate_ids': [fields.Command.set(self._chain_records(company, chain).ids)],
            'is_demo': is_demo,
        })

    def _chain_records(self, company, chain):
        records = self.env['certificate.certificate']
        for ca_cert in chain:
            records |= self._certificate_record(company, ca_cert, ca_cert.subject.rfc4514_string())
        return records

    # ------------------------------------------------------------------ HSM backend

    def _generate_hsm_key(self, company):
        """A new witness key pair generated inside the token (private half never extractable)."""
        label = (company.esign_pkcs11_key_label or '').strip()
        if not label:
            raise UserError(self.env._('Enter a label for the new witness key in Settings.'))
        token_config = self._token_config(company)
        key = self.env['esign.witness.key'].sudo().create({
            'name': label,
            'company_id': company.id,
            'backend': 'pkcs11',
            'state': 'pending',
            'pkcs11_token_label': token_config.token_label,
            'pkcs11_key_label': label,
            'key_type': company.esign_pkcs11_key_type,
        })
        # The token is changed last: if it refuses, the transaction drops the record above.
        with self._hsm_session(company, rw=True, key_label=label) as session:
            key_id, public = pkcs11_token.generate_signing_key(session, label, company.esign_pkcs11_key_type)
        key.write({'pkcs11_key_id': key_id.hex(), 'public_key': _b64(public.dump())})
        _logger.info('witness key %r generated in HSM token %r for company %s', label, token_config.token_label,
                     company.id)
        return key

    def _company_subject(self, company):
        return csr.subject_name(common_name=company.name, organization=company.name, locality=company.city,
                                state=company.state_id.name, country=company.country_id.code, email=company.email)

    def _generate_hsm_kek(self, company):
        label = (company.esign_pkcs11_kek_label or 'esign-kek').strip()
        with self._hsm_session(company, rw=True, key_label=label) as session:
            pkcs11_token.TokenKek.generate(session, label)
        company.esign_pkcs11_kek_label = label
        _logger.info('key-encryption key %r generated in HSM token %r for company %s', label,
                     company.esign_pkcs11_token_label, company.id)
        return label

    def _test_hsm_connection(self, company):
        """Log in to the token and, when a witness key exists there, sign a challenge and verify it."""
        keys = self.env['esign.witness.key'].sudo().search(
            [('company_id', '=', company.id), ('backend', '=', 'pkcs11'), ('state', '!=', 'retired'),
             ('pkcs11_token_label', '=', company.esign_pkcs11_token_label)], order='id desc')
        if keys:  # the key in use first, then the newest
            rank = {'active': 0, 'ready': 1, 'pending': 2}
            return keys.sorted(lambda key: rank[key.state])[0]._test_signature()
        with self._hsm_session(company):
            pass
        return self.env._('Connected to the HSM token "%s". No witness key has been generated in it yet.',
                          company.esign_pkcs11_token_label)

    # ------------------------------------------------------------------ used by the wizards

    def _parse_certificates(self, data):
        with self._custody_errors():
            return signers.load_certificates(data)
