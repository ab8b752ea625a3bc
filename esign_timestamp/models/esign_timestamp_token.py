import base64
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine.errors import TimestampError
from ..engine.token import check_token
from .esign_tsa import _load_pem_certs

_logger = logging.getLogger(__name__)

# Only the verification bookkeeping may change once a token is stored.
VERIFICATION_FIELDS = {'verification_state', 'verified_at', 'verification_error'}


class EsignTimestampToken(models.Model):
    """An RFC 3161 token issued to us, kept as evidence (電子帳簿保存法)."""
    _name = 'esign.timestamp.token'
    _description = 'Timestamp Token'
    _order = 'gen_time desc, id desc'
    _rec_name = 'serial'

    serial = fields.Char(required=True, readonly=True, index=True, help='Serial number given by the authority.')
    gen_time = fields.Datetime(string='Time', required=True, readonly=True, index=True,
                               help='Time certified by the authority (stored in UTC).')
    tsa_id = fields.Many2one('esign.tsa', string='Timestamp authority', readonly=True, ondelete='set null')
    tsa_name = fields.Char(string='Authority name', readonly=True)
    tsa_url = fields.Char(string='Authority URL', readonly=True)
    tsa_cert_not_after = fields.Datetime(string='Authority certificate expiry', readonly=True)
    policy_oid = fields.Char(string='Policy OID', readonly=True)
    hash_algorithm = fields.Char(readonly=True)
    imprint = fields.Char(readonly=True, help='Hexadecimal digest of the data the token covers.')
    token = fields.Binary(string='Token (DER)', readonly=True, attachment=False)
    res_model = fields.Char(string='Covered model', readonly=True, index=True)
    res_id = fields.Many2oneReference(string='Covered record', model_field='res_model', readonly=True)
    description = fields.Char(string='Covers', readonly=True)
    company_id = fields.Many2one('res.company', readonly=True, default=lambda self: self.env.company)
    verification_state = fields.Selection(
        [('unverified', 'Not verified'), ('valid', 'Valid'), ('invalid', 'Invalid')],
        default='unverified', required=True, readonly=True)
    verified_at = fields.Datetime(readonly=True)
    verification_error = fields.Char(readonly=True)

    @api.model
    def _record(self, token_der, info, *, tsa=None, company=None, res_model=None, res_id=None, description=''):
        return self.create({
            'serial': str(info.serial),
            'gen_time': info.gen_time.replace(tzinfo=None),
            'tsa_id': tsa.id if tsa else False,
            'tsa_name': info.tsa_name,
            'tsa_url': tsa.url if tsa and tsa.kind == 'http' else False,
            'tsa_cert_not_after': info.tsa_cert_not_after.replace(tzinfo=None) if info.tsa_cert_not_after else False,
            'policy_oid': info.policy_oid,
            'hash_algorithm': info.hash_algorithm,
            'imprint': info.imprint.hex(),
            'token': base64.b64encode(token_der),
            'res_model': res_model or False,
            'res_id': res_id or False,
            'description': description or False,
            'company_id': (company or self.env.company).id,
        })

    def write(self, vals):
        if set(vals) - VERIFICATION_FIELDS:
            raise UserError(self.env._('A stored timestamp cannot be changed.'))
        return super().write(vals)

    def _verify(self):
        """Check each token again (signature, imprint, EKU, chain to the
        authority's trusted roots at its time); returns {token: error or None}."""
        results = {}
        for token in self:
            roots = _load_pem_certs(token.tsa_id.trust_roots_pem)
            try:
                info = check_token(base64.b64decode(token.token or b''), imprint=bytes.fromhex(token.imprint or ''),
                                   hash_algorithm=token.hash_algorithm, trust_roots=roots)
                if str(info.serial) != token.serial:
                    raise TimestampError('malformed', 'the serial differs from the one recorded')
                results[token] = None
            except TimestampError as error:
                results[token] = self.env['esign.tsa']._error_message(error)
            except (ValueError, TypeError) as error:
                results[token] = self.env._('The stored token cannot be read (%s).', error)
        now = fields.Datetime.now()
        for token, error in results.items():
            token.write({'verification_state': 'invalid' if error else 'valid', 'verified_at': now,
                         'verification_error': error or False})
        return results

    @api.model
    def _cron_verify_recent(self, days=1):
        """Daily: verify the tokens issued since the day before."""
        since = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        tokens = self.search([('gen_time', '>=', since)])
        results = tokens._verify()
        failed = [t.serial for t, error in results.items() if error]
        if failed:
            _logger.warning('timestamp verification: %d of %d tokens invalid: %s',
                                                len(failed), len(results), ', '.join(failed))
        return results
