import base64
import contextlib
import logging
import os
import threading
import time

from odoo import fields, models
from odoo.exceptions import UserError

from ..engine import csr, pkcs11_token, signers
from .res_company import KEY_TYPE_SELECTION

_logger = logging.getLogger(__name__)

# Unsealed software signers of this worker process, so that each signature
# does not unseal the key (unwrap, decrypt the PKCS#8, RSA key check) and
# parse its certificate chain again: {(database, company id): (stamp, signer)},
# one per company, so that a rotated key leaves memory with its successor.
# The stamp holds everything the signer is made of (the key record, its
# certificates and sealed key with their write dates, the key-encryption
# key's identifier), so a rotation, a new certificate or a replaced KEK file
# is seen by the very next signature. In memory only: never logged, stored
# or sent anywhere.
_software_signers = {}
_software_signers_lock = threading.Lock()
MAX_CACHED_SIGNERS = 8


class EsignWitnessKey(models.Model):
    """One witness signing key with its certificate, in software or in an HSM.

    Rotation: a new key (pending -> ready once certified) takes over when
    activated; the previous one is retired, never deleted, so that its
    certificate stays available to validate what it signed.
    """
    _name = 'esign.witness.key'
    _description = 'Witness signing key'
    _order = 'company_id, id desc'
    _check_company_auto = True

    name = fields.Char(string='Name', required=True)
    company_id = fields.Many2one('res.company', string='Company', required=True, default=lambda self: self.env.company,
                                 ondelete='cascade')
    backend = fields.Selection([('software', 'Software key (Odoo certificates)'), ('pkcs11', 'PKCS#11 HSM')],
                               string='Key backend', required=True, readonly=True)
    state = fields.Selection(
        [('pending', 'Waiting for its certificate'), ('ready', 'Ready'), ('active', 'In use'),
         ('retired', 'Retired')], string='Status', default='pending', required=True, readonly=True)
    certificate_id = fields.Many2one('certificate.certificate', string='Certificate', readonly=True,
                                     ondelete='restrict', check_company=True)
    chain_certificate_ids = fields.Many2many('certificate.certificate', 'esign_witness_key_chain_rel', 'key_id',
                                             'certificate_id', string='Certificate chain', readonly=True)
    subject_common_name = fields.Char(related='certificate_id.subject_common_name')
    serial_number = fields.Char(related='certificate_id.serial_number')
    date_end = fields.Datetime(related='certificate_id.date_end', string='Valid until')
    pkcs11_token_label = fields.Char(string='HSM token', readonly=True)
    pkcs11_key_label = fields.Char(string='Key label', readonly=True)
    pkcs11_key_id = fields.Char(string='Key ID', readonly=True, help='CKA_ID of the key pair, in hexadecimal')
    key_type = fields.Selection(KEY_TYPE_SELECTION, string='Key type', readonly=True)
    public_key = fields.Binary(string='Public key', attachment=False, readonly=True,
                               help='SubjectPublicKeyInfo (DER) of a key generated in the HSM')
    activated_at = fields.Datetime(string='In use since', readonly=True)
    retired_at = fields.Datetime(string='Retired on', readonly=True)
    is_demo = fields.Boolean(string='Demo', readonly=True)

    def init(self):
        # At most one key signs for a company at any time.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS esign_witness_key_one_active
            ON esign_witness_key (company_id) WHERE state = 'active'
        """)

    def unlink(self):
        if any(key.activated_at for key in self):
            raise UserError(self.env._(
                'A witness key that has signed cannot be deleted: it is kept to validate what it signed.'))
        return super().unlink()

    # ------------------------------------------------------------------ signing

    @contextlib.contextmanager
    def _open_signer(self):
        """pyHanko Signer for this key; use esign.key.custody._witness_signer from other parts."""
        self.ensure_one()
        if not self.certificate_id:
            raise UserError(self.env._('The witness key "%s" has no certificate yet.', self.name))
        custody = self.env['esign.key.custody']
        if self.backend == 'software':
            sealed = self.certificate_id.sudo().private_key_id
            if not sealed:
                raise UserError(self.env._('The private key of the witness key "%s" is missing.', self.name))
            yield self._software_signer(sealed)
            return
        cert = custody._load_certificate(self.certificate_id)
        chain = [custody._load_certificate(record) for record in self.chain_certificate_ids]
        with custody._hsm_session(self.company_id, token_label=self.pkcs11_token_label,
                                  key_label=self.pkcs11_key_label) as session:
            yield pkcs11_token.witness_signer(
                session, signing_cert=signers.to_asn1_cert(cert), chain=[signers.to_asn1_cert(c) for c in chain],
                key_label=self.pkcs11_key_label, key_id=bytes.fromhex(self.pkcs11_key_id or ''))

    def _software_signer(self, sealed):
        """The pyHanko signer of this software key, unsealed once per worker
        process while nothing it is made of changes (see _software_signers)."""
        custody = self.env['esign.key.custody']
        stamp = self._software_signer_stamp(sealed)
        cache_key = (self.env.cr.dbname, self.company_id.id)
        cached = _software_signers.get(cache_key) if stamp else None
        if cached and cached[0] == stamp:
            return cached[1]
        cert = custody._load_certificate(self.certificate_id)
        chain = [custody._load_certificate(record) for record in self.chain_certificate_ids]
        signer = signers.software_signer(sealed._esign_unseal(), cert, chain)
        if stamp:
            with _software_signers_lock:
                _software_signers.pop(cache_key, None)
                _software_signers[cache_key] = (stamp, signer)
                while len(_software_signers) > MAX_CACHED_SIGNERS:
                    _software_signers.pop(next(iter(_software_signers)))
        return signer

    def _software_signer_stamp(self, sealed):
        """What the cached signer must match, or None when it is not cached:
        a key sealed under the HSM's KEK (asking the HSM is the check), or a
        KEK file that is not the one the key was sealed with (unsealing then
        gives the clear error). A missing or unreadable KEK file raises its
        clear error here, as unsealing would."""
        sealed = sealed.sudo()
        kek_ref = sealed.esign_kek_ref
        if not kek_ref or kek_ref.startswith('pkcs11:'):
            return None
        with self.env['esign.key.custody']._kek_for_ref(kek_ref, self.company_id) as kek:
            if kek.ref != kek_ref:
                return None
        certificates = (self.certificate_id | self.chain_certificate_ids).sudo()
        return (self.id, self.write_date, self.certificate_id.id, sealed.id, sealed.write_date, kek_ref,
                tuple(sorted((record.id, record.write_date) for record in certificates)))

    def _public_key_der(self):
        if self.certificate_id:
            return signers.public_key_der(self.env['esign.key.custody']._load_certificate(self.certificate_id))
        return base64.b64decode(self.public_key)

    def _test_signature(self):
        """Sign a random challenge with the key for real and verify it; returns a message for the admin."""
        self.ensure_one()
        challenge = os.urandom(32)
        started = time.monotonic()
        if self.certificate_id:
            with self._open_signer() as signer:
                signature = signers.raw_signature(signer, challenge)
        else:  # pending: the key exists in the token, its certificate not yet
            with self.env['esign.key.custody']._hsm_session(
                    self.company_id, token_label=self.pkcs11_token_label, key_label=self.pkcs11_key_label) as session:
                private = pkcs11_token.find_private_key(session, self.pkcs11_key_label,
                                                        bytes.fromhex(self.pkcs11_key_id))
                signature = pkcs11_token.sign_with_key(private, challenge)
        elapsed_ms = round((time.monotonic() - started) * 1000)
        if not signers.verify_signature(self._public_key_der(), signature, challenge):
            raise UserError(self.env._('The test signature of the witness key "%s" does not verify.', self.name))
        return self.env._('The witness key "%(key)s" signed a test message in %(ms)s ms, and the signature verifies.',
                          key=self.name, ms=elapsed_ms)

    def _activate(self):
        """Rotation: this key signs from now on; the company's previous key is retired (kept)."""
        self.ensure_one()
        if self.state != 'ready':
            raise UserError(self.env._('Only a certified witness key that is not in use yet can be activated.'))
        if not self.certificate_id.is_valid:
            raise UserError(self.env._('The certificate of the witness key "%s" is not valid today.', self.name))
        self._test_signature()
        now = fields.Datetime.now()
        previous = self.search([('company_id', '=', self.company_id.id), ('state', '=', 'active')])
        previous.write({'state': 'retired', 'retired_at': now})
        previous.flush_recordset()  # before activating: the unique index allows one active key at a time
        self.write({'state': 'active', 'activated_at': now})
        _logger.info('witness key %s activated for company %s (retired: %s)', self.id, self.company_id.id,
                     previous.ids)

    # ------------------------------------------------------------------ buttons

    def _notify(self, message, reload=True):
        """A notification for the admin, then the page reloads to show the new state."""
        params = {'message': message, 'type': 'success', 'sticky': False}
        if reload:
            params['next'] = {'type': 'ir.actions.client', 'tag': 'soft_reload'}
        return {'type': 'ir.actions.client', 'tag': 'display_notification', 'params': params}

    def action_activate(self):
        self._activate()
        return self._notify(self.env._('The witness key "%s" now signs for the company.', self.name))

    def action_test_signature(self):
        return self._notify(self._test_signature(), reload=False)

    def _csr_der(self):
        self.ensure_one()
        if self.backend != 'pkcs11':
            raise UserError(self.env._('Certificate requests are made for keys generated in the HSM.'))
        custody = self.env['esign.key.custody']
        with custody._hsm_session(self.company_id, token_label=self.pkcs11_token_label,
                                  key_label=self.pkcs11_key_label) as session:
            key_id = bytes.fromhex(self.pkcs11_key_id)
            private = pkcs11_token.find_private_key(session, self.pkcs11_key_label, key_id)
            public = pkcs11_token.public_key_info(session, self.pkcs11_key_label, key_id)
            return csr.build_csr(custody._company_subject(self.company_id), public,
                                 lambda data: pkcs11_token.sign_with_key(private, data))

    def action_download_csr(self):
        """A PKCS#10 request (PEM) signed inside the HSM, with the company's name and address, for the CA."""
        attachment = self.env['ir.attachment'].create({
            'name': f'{self.pkcs11_key_label}.csr',
            'raw': csr.csr_pem(self._csr_der()),
            'mimetype': 'application/pkcs10',
            'res_model': self._name,
            'res_id': self.id,
        })
        return {'type': 'ir.actions.act_url', 'url': f'/web/content/{attachment.id}?download=true',
                'target': 'download'}

    def action_import_certificate(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Import the certificate of the witness key'),
            'res_model': 'esign.certificate.import',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_witness_key_id': self.id},
        }

    def action_issue_with_demo_ca(self):
        """Demo only: let the company's DEMO - UNTRUSTED CA certify a key generated in the HSM."""
        self.ensure_one()
        demo = self.env['esign.demo.pki']._for_company(self.company_id)
        issued = demo._issue_from_csr(self._csr_der())
        self._attach_certificate(issued.cert, [c.cert for c in demo._to_pki().chain])
        return self._notify(self.env._('The demo CA certified the witness key "%s".', self.name))

    def _attach_certificate(self, cert, chain):
        """Record the CA's certificate for this pending HSM key (it must carry the key's public key)."""
        self.ensure_one()
        if self.state != 'pending':
            raise UserError(self.env._('The witness key "%s" already has its certificate.', self.name))
        if signers.public_key_der(cert) != base64.b64decode(self.public_key):
            raise UserError(self.env._(
                'This certificate was not issued for the witness key "%s": its public key is different.', self.name))
        custody = self.env['esign.key.custody']
        company = self.company_id
        leaf = custody._certificate_record(company, cert, cert.subject.rfc4514_string())
        self.write({'state': 'ready', 'certificate_id': leaf.id,
                    'chain_certificate_ids': [fields.Command.set(custody._chain_records(company, chain).ids)]})
