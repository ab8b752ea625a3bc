import asyncio
import hashlib
import logging
import os

from cryptography.hazmat.primitives import serialization
from pyhanko.keys import load_certs_from_pemder_data

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..engine.errors import TimestampError
from ..engine.rfc3161 import FailoverTimeStamper, Rfc3161Client

_logger = logging.getLogger(__name__)

DEMO_URL = 'demo:in-process-tsa'


class EsignTsa(models.Model):
    """A timestamp authority (TSA). Several can be configured: they are tried
    in sequence order, the next one when one fails."""
    _name = 'esign.tsa'
    _description = 'Timestamp Authority'
    _order = 'sequence, id'

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one('res.company', string='Company',
                                 help='Leave empty to use this timestamp authority for every company.')
    kind = fields.Selection([('http', 'RFC 3161 over HTTP(S)'), ('demo', 'Demo (in-process, untrusted)')],
                            required=True, default='http')
    url = fields.Char(string='URL', help='Address of the RFC 3161 service, e.g. https://tsa.example.jp/tsa')
    hash_algorithm = fields.Selection([('sha256', 'SHA-256'), ('sha384', 'SHA-384'), ('sha512', 'SHA-512')],
                                      required=True, default='sha256')
    policy_oid = fields.Char(string='Policy OID', help='Timestamp policy to request; leave empty for the default.')
    timeout = fields.Float(default=10.0, help='Seconds to wait for an answer before trying the next authority.')
    username = fields.Char(help='User name for HTTP basic authentication, if the service requires it.')
    password = fields.Char(compute='_compute_password', inverse='_inverse_password',
                           help='Stored encrypted with a key kept outside the database.')
    password_encrypted = fields.Char(copy=False, groups='base.group_system')
    has_password = fields.Boolean(compute='_compute_password')
    client_cert_path = fields.Char(string='Client certificate file',
                                   help='PEM file on the server for TLS client authentication (certificate, '
                                        'or certificate and key).')
    client_key_path = fields.Char(string='Client key file', help='PEM file on the server with the client key.')
    ca_bundle_path = fields.Char(string='CA bundle file',
                                 help="PEM file on the server to verify the service's HTTPS certificate; "
                                      "empty uses the system's.")
    trust_roots_pem = fields.Text(string='Trusted roots (PEM)',
                                  help='Root certificates the TSA certificate must chain to. Empty: the chain '
                                       'is checked later, when validation data is embedded.')
    demo_certificate_id = fields.Many2one(
        'certificate.certificate', string='Demo TSA certificate', copy=False,
        help='The DEMO - UNTRUSTED certificate whose key (sealed by the key-encryption key) signs the tokens.')
    demo_chain_pem = fields.Text(string='Demo TSA chain (PEM)', copy=False)
    token_count = fields.Integer(compute='_compute_token_count', string='Tokens')

    _sql_constraints = [
        ('timeout_positive', 'CHECK(timeout > 0)', 'The timeout must be positive.'),
    ]

    @api.constrains('kind', 'url', 'demo_certificate_id')
    def _check_kind(self):
        for tsa in self:
            if tsa.kind == 'http' and not (tsa.url or '').startswith(('http://', 'https://')):
                raise ValidationError(self.env._('The URL of the timestamp authority must start with http:// or '
                                                 'https://.'))
            if tsa.kind == 'demo' and not tsa.demo_certificate_id.private_key_id:
                raise ValidationError(self.env._('A demo timestamp authority needs its certificate and key.'))

    @api.constrains('policy_oid')
    def _check_policy_oid(self):
        for tsa in self.filtered('policy_oid'):
            parts = tsa.policy_oid.split('.')
            if len(parts) < 2 or not all(part.isdigit() for part in parts):
                raise ValidationError(self.env._('The policy OID must look like 1.2.392.200091.'))

    @api.constrains('trust_roots_pem', 'demo_chain_pem')
    def _check_pem(self):
        for tsa in self:
            for pem in (tsa.trust_roots_pem, tsa.demo_chain_pem):
                try:
                    _load_pem_certs(pem)
                except ValueError as exc:
                    raise ValidationError(self.env._('A certificate is not valid PEM.')) from exc

    # -- secrets ---------------------------------------------------------
    # Sealed by esign_hsm like the documents (one store, one key-encryption key).

    def _secret_context(self, what):
        return f'{self._name},{self.id},{what}'

    def _secret_company(self):
        return self.company_id or self.env.company

    @api.depends('password_encrypted')
    def _compute_password(self):
        for tsa in self:
            # the clear password is never read back into the form
            tsa.password = False
            tsa.has_password = bool(tsa.sudo().password_encrypted)

    def _inverse_password(self):
        custody = self.env['esign.key.custody']
        for tsa in self:
            if tsa.password:
                tsa.sudo().password_encrypted = custody._seal_secret(
                    tsa._secret_company(), tsa.password.encode(), tsa._secret_context('password'))

    def action_clear_password(self):
        self.sudo().password_encrypted = False

    def _password(self):
        sealed = self.sudo().password_encrypted
        if not sealed:
            return None
        return self.env['esign.key.custody']._unseal_secret(
            self._secret_company(), sealed, self._secret_context('password')).decode()

    # -- demo ------------------------------------------------------------

    @api.model
    def _install_demo_tsa(self, certificate, chain=(), trust_roots=(), name='Demo TSA (DEMO - UNTRUSTED)'):
        """An in-process TSA for the demo database (no HTTP server runs when it
        is built). certificate: a certificate.certificate whose private key is
        sealed (esign_hsm); chain/trust_roots: cryptography certificates."""
        pem = lambda certs: ''.join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)  # noqa
        return self.create({
            'name': name, 'kind': 'demo', 'sequence': 100, 'company_id': certificate.company_id.id,
            'demo_certificate_id': certificate.id, 'demo_chain_pem': pem(chain) or False,
            'trust_roots_pem': pem(trust_roots) or False,
        })

    @api.model
    def _install_default_demo_tsa(self):
        """Demo data: the main company's demo PKI timestamps in-process, unless a TSA exists."""
        if self.sudo().search_count([]):
            return
        demo_pki = self.env['esign.demo.pki']._for_company(self.env.ref('base.main_company'))
        custody = self.env['esign.key.custody']
        self.sudo()._install_demo_tsa(
            demo_pki.tsa_certificate_id, chain=[custody._load_certificate(demo_pki.issuing_certificate_id)],
            trust_roots=[custody._load_certificate(demo_pki.root_certificate_id)])

    def _demo_transport(self):
        """The demo PKI's TSA answering in-process (esign_hsm/testing/demo_tsa.py)."""
        from odoo.addons.esign_hsm.testing.demo_tsa import DemoTsa
        custody = self.env['esign.key.custody']
        certificate = self.sudo().demo_certificate_id
        return DemoTsa(custody._load_certificate(certificate), certificate.private_key_id._esign_unseal(),
                       _load_pem_certs(self.demo_chain_pem)).answer

    # -- timestamping ----------------------------------------------------

    def _client(self, on_token=None):
        self.ensure_one()
        common = dict(hash_algorithm=self.hash_algorithm, policy_oid=self.policy_oid or None,
                      trust_roots=_load_pem_certs(self.trust_roots_pem), timeout=self.timeout, on_token=on_token)
        if self.kind == 'demo':
            return Rfc3161Client(DEMO_URL, transport=self._demo_transport(), **common)
        client_cert = self.client_cert_path or None
        if client_cert and self.client_key_path:
            client_cert = (self.client_cert_path, self.client_key_path)
        return Rfc3161Client(self.url, username=self.username or None, password=self._password(),
                             client_cert=client_cert, verify=self.ca_bundle_path or True, **common)

    @api.model
    def _get_timestamper(self, company=None, res_model=None, res_id=None, description=''):
        """A pyHanko TimeStamper that tries the active TSAs of the company in
        sequence order and records every token it obtains (esign.timestamp.token),
        as covering the given record."""
        company = company or self.env.company
        tsas = self.sudo().search([('company_id', 'in', [False, company.id])])
        Token = self.env['esign.timestamp.token'].sudo()

        def recorder(tsa):
            def record(token_der, info, url):
                Token._record(token_der, info, tsa=tsa, company=company, res_model=res_model, res_id=res_id,
                              description=description)
            return record

        return FailoverTimeStamper([tsa._client(on_token=recorder(tsa)) for tsa in tsas])

    def action_test(self):
        """Ask this authority for a timestamp now and say what happened."""
        self.ensure_one()
        digest = hashlib.new(self.hash_algorithm, os.urandom(32)).digest()
        issued = []
        client = self._client(on_token=lambda der, info, url: issued.append(info))
        try:
            asyncio.run(client.async_timestamp(digest, self.hash_algorithm))
        except TimestampError as exc:
            raise UserError(self._error_message(exc)) from exc
        info = issued[0]
        return {'type': 'ir.actions.client', 'tag': 'display_notification', 'params': {
            'type': 'success', 'title': self.env._('Timestamp received'),
            'message': self.env._('%(tsa)s answered: serial %(serial)s, time %(time)s (UTC).',
                                  tsa=info.tsa_name, serial=info.serial, time=info.gen_time.strftime('%Y-%m-%d %H:%M:%S')),
        }}

    @api.model
    def _error_message(self, error):
        """A sentence a clerk understands for a TimestampError, in their language."""
        _ = self.env._
        messages = {
            'unreachable': _('The timestamp authority could not be reached. Check the network or try again later.'),
            'timeout': _('The timestamp authority did not answer in time. Try again later.'),
            'http_error': _('The timestamp authority answered with an error (wrong address or credentials?).'),
            'rejected': _('The timestamp authority refused the request.'),
            'bad_nonce': _('The timestamp authority answered another request (nonce mismatch). Nothing was '
                           'applied.'),
            'bad_imprint': _('The timestamp received covers other data than the document. Nothing was applied.'),
            'bad_signature': _('The signature of the timestamp received does not verify. Nothing was applied.'),
            'bad_eku': _('The certificate of the timestamp authority is not a timestamping certificate. Nothing '
                         'was applied.'),
            'untrusted': _('The certificate of the timestamp authority is not trusted. Nothing was applied.'),
            'malformed': _('The answer of the timestamp authority cannot be read. Nothing was applied.'),
            'no_tsa': _('No timestamp authority is configured. Add one in Settings.'),
        }
        message = messages.get(error.code, str(error))
        if error.tsa_url:
            message += ' (%s)' % error.tsa_url
        return message

    @api.depends()
    def _compute_token_count(self):
        counts = dict(self.env['esign.timestamp.token'].sudo()._read_group(
            [('tsa_id', 'in', self.ids)], ['tsa_id'], ['__count']))
        for tsa in self:
            tsa.token_count = counts.get(tsa, 0)


def _load_pem_certs(pem):
    """asn1crypto certificates (what pyHanko and the engine take) from PEM text (empty -> [])."""
    if not pem or not pem.strip():
        return []
    return list(load_certs_from_pemder_data(pem.encode()))
