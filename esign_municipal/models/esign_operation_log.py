"""The operation log (操作ログ): one append-only, hash-chained row per event.

Every part logs through `_esign_record` (envelopes through their
`_esign_log` hook). A row is inserted in the transaction of the event itself,
so an event that is rolled back leaves no trace, and is chained ("sealed")
right after that transaction commits: a short transaction of its own takes
an advisory lock, reads the last hash and hashes the new rows in commit order
(engine/hash_chain.py). Holding a global lock for the whole of a signing
transaction would serialize every signer of every envelope. A cron seals
whatever a crash left unsealed.

References to other records are plain integers and names, not foreign keys:
deleting an envelope (a draft, or a contract after its retention period) must
neither change nor remove a single log row.
"""
import asyncio
import hashlib
import json
import logging

import psycopg2.errors

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.http import request

from ..engine import hash_chain
from ..tools import archive_guard

_logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key that serializes the sealers ('esig' 'nlog').
SEAL_LOCK = 0x6573_6967_6E6C_6F67
SEAL_BATCH = 2000
DETAILS_MAX = 4000
USER_AGENT_MAX = 512

# The columns a row's hash covers (with its id and its place in the chain).
HASHED_COLUMNS = (
    'id', 'logged_at', 'event', 'company_id', 'user_ref', 'user_name', 'partner_ref', 'partner_name',
    'signer_ref', 'envelope_ref', 'envelope_number', 'document_ref', 'document_name', 'contract_ref',
    'contract_number', 'res_model', 'res_id', 'ip_address', 'user_agent', 'auth_method', 'details',
)


class EsignOperationLog(models.Model):
    _name = 'esign.operation.log'
    _description = 'Operation log entry'
    _inherit = ['esign.append.only.mixin', 'esign.flow.fields.mixin']
    _esign_append_reason = archive_guard.LOG_WRITE
    # Only the sealer chains a row: a row created with a place in the chain would never be sealed.
    _esign_flow_fields = frozenset({'chain_seq', 'prev_hash', 'entry_hash'})
    _order = 'id desc'
    _log_access = False
    _rec_name = 'event'

    logged_at = fields.Datetime(string='Time', required=True, readonly=True, index=True)
    event = fields.Char(string='Event code', required=True, readonly=True, index=True)
    event_label = fields.Char(string='Event', compute='_compute_event_label')
    company_id = fields.Many2one('res.company', string='Company', readonly=True, index=True, ondelete='restrict')
    user_ref = fields.Integer(string='User ID', readonly=True, index=True)
    user_name = fields.Char(string='User', readonly=True)
    partner_ref = fields.Integer(string='Contact ID', readonly=True)
    partner_name = fields.Char(string='Signer or contact', readonly=True)
    signer_ref = fields.Integer(string='Signer ID', readonly=True)
    envelope_ref = fields.Integer(string='Envelope ID', readonly=True, index=True)
    envelope_number = fields.Char(string='Envelope', readonly=True, index=True)
    document_ref = fields.Integer(string='Document ID', readonly=True)
    document_name = fields.Char(string='Document', readonly=True)
    contract_ref = fields.Integer(string='Contract ID', readonly=True, index=True)
    contract_number = fields.Char(string='Contract', readonly=True)
    res_model = fields.Char(string='Record type', readonly=True)
    res_id = fields.Integer(string='Record ID', readonly=True)
    ip_address = fields.Char(string='IP address', readonly=True)
    user_agent = fields.Char(string='Browser', readonly=True)
    auth_method = fields.Char(string='Authentication', readonly=True)
    details = fields.Text(string='Details', readonly=True)
    chain_seq = fields.Integer(string='Chain position', readonly=True, copy=False)
    prev_hash = fields.Char(string='Previous hash', readonly=True, copy=False)
    entry_hash = fields.Char(string='Hash', readonly=True, copy=False)

    _sql_constraints = [
        ('chain_seq_unique', 'UNIQUE (chain_seq)', 'Two log entries cannot take the same place in the chain.'),
    ]

    def init(self):
        # The sealer looks for the rows not chained yet.
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS esign_operation_log_unsealed
            ON esign_operation_log (id) WHERE chain_seq IS NULL
        """)

    @api.depends('event')
    def _compute_event_label(self):
        labels = self._event_labels()
        for entry in self:
            entry.event_label = labels.get(entry.event, entry.event)

    def _event_labels(self):
        _ = self.env._
        # Each label is spelled out so that the translation export finds it.
        return {
            'send': _('Envelope sent'), 'invite': _('Signature requested'),
            'resend': _('Signature request sent again'), 'remind': _('Reminder sent'),
            'view': _('Document viewed'), 'download': _('Document downloaded'),
            'otp_sent': _('One-time code sent'), 'otp_verified': _('One-time code verified'),
            'otp_failed': _('Wrong one-time code'), 'otp_locked': _('One-time code locked'),
            'sign': _('Signed'), 'decline': _('Declined'),
            'cancel': _('Cancelled'), 'expire': _('Expired'), 'complete': _('Completed'),
            'archive': _('Archived'), 'register': _('Contract registered'), 'correct': _('Metadata corrected'),
            'delete': _('Deleted after the retention period'), 'renew': _('Archive timestamp renewed'),
            'verify_signatures': _('Signatures verified'), 'verify_timestamps': _('Timestamps verified'),
            'verify_log': _('Operation log verified'), 'export': _('Exported'), 'settings': _('Settings changed'),
            'access_refused': _('Access refused'), 'link_refused': _('Signing link refused (wrong token)'),
            'public_verifications': _('Public signature verifications of the day'),
            'token_issued': _('Link issued'), 'mail_failed': _('Mail not delivered'),
            'partner_email_changed': _("Signer's email address changed"),
            'service_error': _('Service error shown to a signer'),
        }

    # -- nobody changes a row (esign.append.only.mixin) -----------------------------

    def _esign_append_only_messages(self):
        _ = self.env._
        return (_('Operation log entries are written by the system only.'),
                _('The operation log cannot be changed.'), _('The operation log cannot be deleted.'))

    # -- writing -------------------------------------------------------------------

    @api.model
    def _esign_record(self, event, *, envelope=None, signer=None, document=None, contract=None, partner=None,
                      user=None, request_info=None, res_model=None, res_id=None, company=None, durable=False,
                      **details):
        """Logs one event; the only way rows are written.

        envelope / signer / document / contract / partner: records the event is
        about (a signer recordset of several gives one row per signer).
        user: who acted, when it is not the environment's user (a refusal
        logged afterwards by the system, for example).
        request_info: {'ip', 'user_agent', 'auth_method'}; taken from the
        current HTTP request when not given. details: anything else worth
        keeping (reason, kind ...), stored as JSON.
        durable=True writes the row in a transaction of its own, committed at
        once, for events whose own transaction is about to be rolled back
        (a refused access, a wrong one-time code); it then returns the ids of
        the rows, which the caller's transaction may not see.
        """
        signers = signer if signer else [None]
        values_list = [self._esign_values(event, envelope=envelope, signer=one, document=document,
                                          contract=contract, partner=partner, user=user, request_info=request_info,
                                          res_model=res_model, res_id=res_id, company=company, details=details)
                       for one in signers]
        if durable:
            return self._esign_insert_durable(values_list)
        return self._esign_insert(values_list)

    @api.model
    def _esign_values(self, event, *, envelope, signer, document, contract, partner, user, request_info, res_model,
                      res_id, company, details):
        envelope = envelope or (signer.envelope_id if signer else None) or (document.envelope_id if document else None)
        partner = partner or (signer.partner_id if signer else None)
        company = company or (envelope.company_id if envelope else None) or \
            (contract.company_id if contract else None) or self.env.company
        user = user or self.env.user
        info = dict(_request_info(), **(request_info or {}))
        partner_name = signer and (f'{signer.name} <{signer.email}>' if signer.email else signer.name) \
            or (partner and partner.display_name) or False
        return {
            'logged_at': fields.Datetime.now(),
            'event': event,
            'company_id': company.id,
            'user_ref': False if user._is_public() else user.id,
            'user_name': False if user._is_public() else user.sudo().name,
            'partner_ref': partner.id if partner else False,
            'partner_name': partner_name,
            'signer_ref': signer.id if signer else False,
            'envelope_ref': envelope.id if envelope else False,
            'envelope_number': envelope.sudo().number if envelope else False,
            'document_ref': document.id if document else False,
            'document_name': document.sudo().name if document else False,
            'contract_ref': contract.id if contract else False,
            'contract_number': contract.sudo().number if contract else False,
            'res_model': res_model or False,
            'res_id': res_id or False,
            'ip_address': (info.get('ip') or '')[:64] or False,
            'user_agent': (info.get('user_agent') or '')[:USER_AGENT_MAX] or False,
            'auth_method': info.get('auth_method') or False,
            'details': _details_json(details),
        }

    @api.model
    def _esign_insert(self, values_list):
        if archive_guard.module_being_removed(self.env):
            # The log goes with the addon; nothing to chain after its table is dropped.
            return self.browse()
        if self.env.cr.readonly:
            # Odoo serves reads (/web/content, RPC read ...) from a read-only
            # transaction when it can, and runs the request again read/write
            # when it writes: asked before the INSERT, which would fail noisily.
            raise psycopg2.errors.ReadOnlySqlTransaction('the operation log is written in a read/write transaction')
        with archive_guard.unlocked(archive_guard.LOG_WRITE):
            rows = self.sudo().create(values_list)
        self._esign_seal_after_commit()
        return rows

    @api.model
    def _esign_insert_durable(self, values_list):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env['esign.operation.log']._esign_insert(values_list).ids

    # -- the chain -----------------------------------------------------------------

    @api.model
    def _esign_seal_after_commit(self):
        cr = self.env.cr
        if cr.postcommit.data.get('esign_seal_log'):
            return
        cr.postcommit.data['esign_seal_log'] = True
        registry = self.env.registry

        @cr.postcommit.add
        def seal():
            try:
                with registry.cursor() as seal_cr:
                    # A fresh snapshot after the lock: see what the previous sealer committed.
                    seal_cr.execute('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')
                    api.Environment(seal_cr, SUPERUSER_ID, {})['esign.operation.log']._esign_seal()
            except Exception:
                # The cron seals it later; the event itself is recorded.
                _logger.warning('operation log: sealing after commit failed, the cron will retry', exc_info=True)

    @api.model
    def _esign_seal(self):
        """Chains every row not chained yet, in id order; returns how many."""
        cr = self.env.cr
        cr.execute("SELECT to_regclass('esign_operation_log')")
        if cr.fetchone()[0] is None:  # the addon was uninstalled in the meantime
            return 0
        cr.execute('SELECT pg_advisory_xact_lock(%s)', [SEAL_LOCK])
        cr.execute('SELECT chain_seq, entry_hash FROM esign_operation_log WHERE chain_seq IS NOT NULL '
                   'ORDER BY chain_seq DESC LIMIT 1')
        last = cr.fetchone()
        last_seq, last_hash = last if last else (0, hash_chain.GENESIS)
        total = 0
        while True:
            cr.execute(f'SELECT {", ".join(HASHED_COLUMNS)} FROM esign_operation_log '
                       'WHERE chain_seq IS NULL ORDER BY id LIMIT %s', [SEAL_BATCH])
            rows = cr.fetchall()
            if not rows:
                break
            contents = [dict(zip(HASHED_COLUMNS, row)) for row in rows]
            sealed = hash_chain.seal(contents, last_hash, last_seq + 1)
            cr.execute_values("""
                UPDATE esign_operation_log AS entry
                SET chain_seq = sealed.seq, prev_hash = sealed.prev_hash, entry_hash = sealed.digest
                FROM (VALUES %s) AS sealed (id, seq, prev_hash, digest)
                WHERE entry.id = sealed.id AND entry.chain_seq IS NULL
            """, [(content['id'], seq, prev_hash, digest)
                   for content, (seq, prev_hash, digest) in zip(contents, sealed)], page_size=SEAL_BATCH)
            last_seq, last_hash = sealed[-1][0], sealed[-1][2]
            total += len(rows)
        if total:
            self.invalidate_model(['chain_seq', 'prev_hash', 'entry_hash'])
        return total

    @api.model
    def _cron_seal(self):
        self._esign_seal()

    @api.model
    def _esign_verify_chain(self):
        """hash_chain.ChainResult over every sealed row, plus the count of rows
        still waiting to be sealed."""
        cr = self.env.cr
        columns = ', '.join(HASHED_COLUMNS)

        def rows():
            after = 0
            while True:
                cr.execute(f'SELECT chain_seq, prev_hash, entry_hash, {columns} FROM esign_operation_log '
                           'WHERE chain_seq > %s ORDER BY chain_seq LIMIT %s', [after, SEAL_BATCH])
                batch = cr.fetchall()
                if not batch:
                    return
                for seq, prev_hash, digest, *content in batch:
                    content = dict(zip(HASHED_COLUMNS, content))
                    yield seq, content['id'], content, prev_hash, digest
                after = batch[-1][0]

        result = hash_chain.verify(rows())
        cr.execute('SELECT count(*) FROM esign_operation_log WHERE chain_seq IS NULL')
        return result, cr.fetchone()[0]

    # -- anchoring: a timestamp on the newest hash ---------------------------------------

    @api.model
    def _esign_anchor(self):
        """Timestamps the newest hash of the chain (RFC 3161, the company's TSAs).

        A hash chain alone can be recomputed end to end by someone who rewrites
        the table; a timestamped head cannot, so such a rewrite shows at the
        next verification. The token is kept by esign_timestamp
        (esign.timestamp.token, res_model esign.operation.log, res_id = the
        entry whose hash it covers). Returns the token, or False when the
        head is anchored already or the log is empty."""
        self._esign_seal()
        head = self.sudo().search([('chain_seq', '!=', False)], order='chain_seq desc', limit=1)
        Token = self.env['esign.timestamp.token'].sudo()
        if not head or Token.search_count([('res_model', '=', self._name), ('res_id', '=', head.id)]):
            return False
        timestamper = self.env['esign.tsa']._get_timestamper(
            self.env.company, res_model=self._name, res_id=head.id,
            description=self.env._('Operation log, newest hash'))
        algorithm = getattr(timestamper, 'hash_algorithm', 'sha256')
        asyncio.run(timestamper.async_timestamp(hashlib.new(algorithm, bytes.fromhex(head.entry_hash)).digest(),
                                                algorithm))
        return Token.search([('res_model', '=', self._name), ('res_id', '=', head.id)], limit=1)

    @api.model
    def _cron_anchor(self):
        # The past days' counts of anonymous verifications join the chain first.
        self.env['esign.public.verification.count']._esign_log_past_days()
        self._esign_anchor()

    @api.model
    def _esign_check_anchors(self):
        """[(token, problem)] for every anchor that no longer matches the chain
        (its entry is gone or has another hash) or whose token does not verify."""
        problems = []
        tokens = self.env['esign.timestamp.token'].sudo().search([('res_model', '=', self._name)], order='res_id')
        for token in tokens:
            self.env.cr.execute('SELECT entry_hash FROM esign_operation_log WHERE id = %s', [token.res_id])
            row = self.env.cr.fetchone()
            expected = row and row[0] and hashlib.new(token.hash_algorithm, bytes.fromhex(row[0])).hexdigest()
            if expected != token.imprint:
                problems.append((token, 'rewritten'))
            elif token._verify().get(token):
                problems.append((token, 'token'))
        return problems

    def action_verify_chain(self):
        """Checks the whole chain and says where it first breaks."""
        if not self.env.user.has_group('esign_municipal.group_esign_auditor'):
            raise UserError(self.env._('Only auditors and administrators can verify the operation log.'))
        result, unsealed = self._esign_verify_chain()
        _ = self.env._
        if result.intact:
            message = _('The operation log is intact: %(count)s entries checked, none changed, removed or '
                        'reordered.', count=result.checked)
        else:
            broken = self.sudo().browse(result.first_break.row_id).exists()
            reasons = {
                'content': _('its content no longer matches its hash (it was changed)'),
                'link': _('it no longer follows the entry before it (that entry was changed, removed or '
                          'inserted)'),
                'gap': _('entries before it are missing'),
            }
            message = _('The operation log is broken at entry %(seq)s (ID %(id)s, %(time)s, %(event)s): '
                        '%(reason)s. %(count)s entries before it are intact.',
                        seq=result.first_break.seq, id=result.first_break.row_id,
                        time=broken.logged_at or '-', event=broken.event_label or '-',
                        reason=reasons[result.first_break.reason], count=result.checked)
        anchors = self._esign_check_anchors()
        for token, problem in anchors:
            if problem == 'rewritten':
                message += ' ' + _('The log up to entry ID %(id)s was rewritten after it was timestamped on '
                                   '%(time)s (UTC): its hash is no longer the timestamped one.',
                                   id=token.res_id, time=token.gen_time)
            else:
                message += ' ' + _('The timestamp of entry ID %s does not verify.', token.res_id)
        if unsealed:
            message += ' ' + _('%s entries are waiting to be chained.', unsealed)
        intact = result.intact and not anchors
        self._esign_record('verify_log', intact=intact, checked=result.checked,
                           first_break=result.first_break and result.first_break.row_id,
                           anchors_broken=[token.res_id for token, _problem in anchors])
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {'title': _('Operation log verification'), 'message': message, 'sticky': True,
                       'type': 'success' if intact else 'danger'},
        }

    def action_open_envelope(self):
        self.ensure_one()
        envelope = self.env['esign.envelope'].browse(self.envelope_ref).exists()
        if not envelope:
            raise UserError(self.env._('This envelope no longer exists.'))
        return {'type': 'ir.actions.act_window', 'res_model': 'esign.envelope', 'res_id': envelope.id,
                'view_mode': 'form'}


def _request_info():
    """Where the current HTTP request comes from, if there is one."""
    if not request:
        return {}
    try:
        http = request.httprequest
        return {'ip': http.remote_addr, 'user_agent': http.user_agent.string}
    except RuntimeError:  # outside of a request context
        return {}


def _plain(value):
    if isinstance(value, models.BaseModel):
        return value.mapped('display_name') if len(value) != 1 else value.display_name
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def _details_json(details):
    if not details:
        return False
    text = json.dumps(_plain(details), ensure_ascii=False, sort_keys=True, default=str)
    return text[:DETAILS_MAX]
