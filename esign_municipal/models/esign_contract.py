"""The contract archive (契約書管理), kept as 電子帳簿保存法 asks: searchable
by 取引年月日, 取引金額 and 取引先 in any combination, unalterable, and kept
for the retention period of its contract type.

One row per contract: an envelope completed here, or a contract signed
elsewhere (or on paper) registered with a timestamp. The envelope keeps what
was sent; this record is what the municipality keeps, and the only one a
manager can correct, through a wizard that leaves a correction record.
"""
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import config, str2bool

from ..tools import archive_guard
from ..engine.jst import jst_date, jst_today
from .esign_signature_verifier import VERIFICATION_HELP, VERIFICATION_STATES

# Metadata a manager may correct (through esign.contract.correct.wizard only).
CORRECTABLE_FIELDS = ('name', 'reference', 'transaction_date', 'amount', 'currency_id', 'partner_id',
                      'contract_type_id', 'department')
DEFAULT_RETENTION_YEARS = 10
# Server option (odoo.conf) by which the server's operator, not an Odoo
# administrator, lets the addon be uninstalled although its archive still
# holds contracts within their retention period.
UNINSTALL_OPTION = 'esign_allow_uninstall_with_archive'


class EsignContract(models.Model):
    _name = 'esign.contract'
    _description = 'Archived contract'
    _inherit = ['esign.archive.lock.mixin', 'esign.flow.fields.mixin']
    # Set by the archiving (_esign_archive_envelope, _esign_register) and the verification only.
    _esign_flow_fields = frozenset({
        'number', 'user_id', 'source', 'envelope_id', 'archived_at', 'retention_until', 'document_ids',
        'correction_ids', 'verification_state', 'verified_at'})
    _order = 'transaction_date desc nulls last, id desc'
    _rec_names_search = ['number', 'name', 'reference']
    _check_company_auto = True

    number = fields.Char(string='Contract number', required=True, readonly=True, copy=False, index=True,
                         help='The envelope number of a contract signed here, or the registration number of a '
                              'contract registered from elsewhere.')
    name = fields.Char(string='Title', required=True)
    reference = fields.Char(string='Contract reference',
                            help="The contract's own number, for example the one printed on a paper contract.")
    transaction_date = fields.Date(string='Transaction date')
    currency_id = fields.Many2one('res.currency', string='Currency', required=True,
                                  default=lambda self: self.env.company.currency_id)
    amount = fields.Monetary(string='Transaction amount', currency_field='currency_id')
    partner_id = fields.Many2one('res.partner', string='Counterparty')
    contract_type_id = fields.Many2one('esign.contract.type', string='Contract type', check_company=True)
    department = fields.Char(string='Department')
    company_id = fields.Many2one('res.company', string='Company', required=True, index=True,
                                 default=lambda self: self.env.company)
    user_id = fields.Many2one('res.users', string='Responsible', index=True,
                              help='Who sent the envelope or registered the contract.')
    source = fields.Selection([('envelope', 'Signed here'), ('registered', 'Registered from elsewhere')],
                              string='Origin', required=True, readonly=True)
    envelope_id = fields.Many2one('esign.envelope', string='Envelope', readonly=True, index=True,
                                  ondelete='restrict')
    archived_at = fields.Datetime(string='Archived on', required=True, readonly=True, index=True)
    retention_until = fields.Date(string='Keep until', required=True, readonly=True,
                                  help='End of the retention period: before this day nobody can delete the '
                                       'contract.')
    document_ids = fields.One2many('esign.contract.document', 'contract_id', string='Documents', readonly=True)
    document_count = fields.Integer(compute='_compute_counts', string='Number of documents')
    correction_ids = fields.One2many('esign.contract.correction', 'contract_id', string='Correction history',
                                     readonly=True)
    correction_count = fields.Integer(compute='_compute_counts', string='Corrections')
    has_audit_certificate = fields.Boolean(related='envelope_id.has_audit_certificate')
    verification_state = fields.Selection(
        VERIFICATION_STATES, string='Verification', default='unverified', required=True, readonly=True,
        help=VERIFICATION_HELP)
    verified_at = fields.Datetime(string='Last verified', readonly=True)

    _sql_constraints = [
        ('number_company_unique', 'UNIQUE (number, company_id)', 'The contract number must be unique.'),
    ]

    def init(self):
        cr = self.env.cr
        # The search keys of 電子帳簿保存法 in the list's order (default _order).
        # The amount and the company (record rule) ride along in the index, so
        # that a combined search is answered from the index alone, even for a
        # counterparty with a hundred thousand contracts (bench_archive_search.py).
        cr.execute("""
            CREATE INDEX IF NOT EXISTS esign_contract_partner_date_cover
                ON esign_contract (partner_id, transaction_date DESC NULLS LAST, id DESC)
                INCLUDE (amount, company_id);
            CREATE INDEX IF NOT EXISTS esign_contract_date_cover
                ON esign_contract (transaction_date DESC NULLS LAST, id DESC) INCLUDE (amount, company_id, partner_id);
            CREATE INDEX IF NOT EXISTS esign_contract_amount
                ON esign_contract (amount);
            CREATE INDEX IF NOT EXISTS esign_contract_type_date
                ON esign_contract (contract_type_id, transaction_date DESC NULLS LAST, id DESC);
        """)
        # Free text on title and numbers (ILIKE '%...%'), when pg_trgm can be had.
        try:
            with cr.savepoint(flush=False):
                cr.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        except Exception:  # noqa: BLE001 - without the extension, searches still work, unindexed
            return
        cr.execute("""
            CREATE INDEX IF NOT EXISTS esign_contract_name_trgm ON esign_contract USING gin (name gin_trgm_ops);
            CREATE INDEX IF NOT EXISTS esign_contract_number_trgm ON esign_contract USING gin (number gin_trgm_ops);
            CREATE INDEX IF NOT EXISTS esign_contract_reference_trgm
                ON esign_contract USING gin (reference gin_trgm_ops);
        """)

    @api.model
    def search_fetch(self, domain, field_names, offset=0, limit=None, order=None):
        """A page of the list in two steps: the ids from the covering indexes
        alone (index-only scan), then the columns of just those rows. In one
        step PostgreSQL reads every matching row of a large counterparty from
        the table before sorting them (see benchmarks/bench_archive_search.py)."""
        if not limit or not field_names:
            return super().search_fetch(domain, field_names, offset=offset, limit=limit, order=order)
        records = super().search_fetch(domain, [], offset=offset, limit=limit, order=order)
        records.fetch(field_names)
        return records

    @api.depends('document_ids', 'correction_ids')
    def _compute_counts(self):
        for contract in self:
            contract.document_count = len(contract.document_ids)
            contract.correction_count = len(contract.correction_ids)

    @api.depends('number', 'name')
    def _compute_display_name(self):
        for contract in self:
            contract.display_name = ' '.join(filter(None, (contract.number, contract.name)))

    # -- the lock ----------------------------------------------------------------

    def _esign_locked(self):
        return self

    @api.model
    def _esign_parents_locked(self, vals_list):
        # Contracts enter the archive only through _esign_archive_envelope and
        # the registration wizard, never by a bare create.
        return True

    def unlink(self):
        """Deletion after the retention period only, by an administrator; a
        deletion record is kept in the correction history."""
        if archive_guard.module_being_removed(self.env) or archive_guard.is_unlocked(archive_guard.RETENTION_DELETE):
            return super().unlink()
        if not self.env.su and not self.env.user.has_group('esign_municipal.group_esign_manager'):
            raise AccessError(self.env._('Only an administrator of electronic contracts can delete archived '
                                         'contracts, after their retention period.'))
        today = jst_today()
        kept = self.filtered(lambda contract: contract.retention_until >= today)
        if kept:
            raise UserError(self.env._(
                'The contract %(number)s must be kept until %(date)s (retention period of its contract type). '
                'It cannot be deleted before that day, not even by an administrator.',
                number=kept[0].number, date=kept[0].retention_until))
        for contract in self:
            contract._esign_delete_after_retention()
        return True

    @api.model
    def _esign_check_uninstall(self):
        """Uninstalling the addon drops the archive with its tables: refused
        while a contract is within its retention period, unless the server
        configuration allows it (after the archive was exported)."""
        if str2bool(str(config.get(UNINSTALL_OPTION) or ''), False):
            return
        kept = self.sudo().search_count([('retention_until', '>=', jst_today())])
        if kept:
            raise UserError(self.env._(
                'The contract archive holds %(count)s contracts whose retention period has not ended. Uninstalling '
                'Electronic Contracts would delete them, so it is refused. Export the archive first (Contract '
                'management, Export); the server administrator can then allow the uninstallation with '
                '"%(option)s = True" in the Odoo configuration file.', count=kept, option=UNINSTALL_OPTION))

    def _esign_delete_after_retention(self):
        self.ensure_one()
        contract = self.sudo()
        self.env['esign.contract.correction']._esign_record_deletion(contract)
        self.env['esign.operation.log']._esign_record('delete', contract=contract,
                                                      retention_until=contract.retention_until)
        envelope = contract.envelope_id
        blobs = contract.document_ids.blob_id | envelope.document_ids.original_blob_id | \
            envelope.document_ids.current_blob_id | envelope.audit_certificate_blob_id
        with archive_guard.unlocked(archive_guard.RETENTION_DELETE):
            contract.document_ids.unlink()
            contract.unlink()
            # Documents, signers and fields go with the envelope (ON DELETE CASCADE), the files after them
            # (Odoo deletes a blob's ciphertext attachment with the blob).
            envelope.unlink()
            blobs.exists().unlink()

    # -- entering the archive --------------------------------------------------------

    @api.model
    def _esign_retention_until(self, archived_at, contract_type):
        years = contract_type.retention_years if contract_type else DEFAULT_RETENTION_YEARS
        return jst_date(archived_at) + relativedelta(years=years)

    @api.model
    def _esign_archive_envelope(self, envelope):
        """The archive record of a completed envelope (once: a second call returns the first)."""
        envelope = envelope.sudo()
        existing = self.sudo().search([('envelope_id', '=', envelope.id)], limit=1)
        if existing:
            return existing
        archived_at = envelope.completed_at or fields.Datetime.now()
        with archive_guard.unlocked(archive_guard.ARCHIVING):
            contract = self.sudo().create({
                'number': envelope.number,
                'name': envelope.name,
                'transaction_date': envelope.transaction_date,
                'currency_id': envelope.currency_id.id,
                'amount': envelope.amount,
                'partner_id': envelope.partner_id.id,
                'contract_type_id': envelope.contract_type_id.id,
                'department': envelope.department,
                'company_id': envelope.company_id.id,
                'user_id': envelope.user_id.id,
                'source': 'envelope',
                'envelope_id': envelope.id,
                'archived_at': archived_at,
                'retention_until': self._esign_retention_until(archived_at, envelope.contract_type_id),
            })
            self.env['esign.contract.document']._esign_create_for(contract, [
                {'name': document.name, 'sequence': document.sequence, 'document_id': document.id,
                 'data': document._read_pdf('current')}
                for document in envelope.document_ids])
        self.env['esign.operation.log']._esign_record('archive', envelope=envelope, contract=contract)
        return contract

    @api.model
    def _esign_register(self, values, files):
        """Registers a contract signed elsewhere: `files` [(name, pdf bytes)],
        each of which gets a document timestamp first."""
        now = fields.Datetime.now()
        company = self.env['res.company'].browse(values.get('company_id')) or self.env.company
        contract_type = self.env['esign.contract.type'].browse(values.get('contract_type_id'))
        sequence = self.env['ir.sequence'].sudo()
        with archive_guard.unlocked(archive_guard.ARCHIVING):
            contract = self.create(dict(
                values,
                number=sequence.with_company(company).next_by_code('esign.contract.registered'),
                company_id=company.id,
                user_id=self.env.uid,
                source='registered',
                archived_at=now,
                retention_until=self._esign_retention_until(now, contract_type),
            ))
            stamped = [{'name': name, 'sequence': position,
                        'data': self.env['esign.contract.document']._esign_timestamp_new(contract, name, data)}
                       for position, (name, data) in enumerate(files)]
            self.env['esign.contract.document'].sudo()._esign_create_for(contract, stamped)
        self.env['esign.operation.log']._esign_record('register', contract=contract,
                                                      documents=[name for name, _data in files])
        return contract

    # -- corrections --------------------------------------------------------------------

    def _esign_apply_correction(self, new_values, reason):
        """Writes corrected metadata and one correction record per changed field."""
        self.ensure_one()
        if not self.env.user.has_group('esign_municipal.group_esign_manager'):
            raise AccessError(self.env._('Only an administrator of electronic contracts can correct archived '
                                         'contracts.'))
        reason = (reason or '').strip()
        if not reason:
            raise UserError(self.env._('Enter the reason for the correction: it is kept with the correction.'))
        changes = {name: value for name, value in new_values.items()
                   if name in CORRECTABLE_FIELDS and self._esign_differs(name, value)}
        if not changes:
            raise UserError(self.env._('Nothing was changed.'))
        before = {name: self._esign_display_value(name) for name in changes}
        with archive_guard.unlocked(archive_guard.CORRECTION):
            self.sudo().write(changes)
            if 'contract_type_id' in changes:
                self.sudo().write({'retention_until': max(
                    self.retention_until, self._esign_retention_until(self.archived_at, self.contract_type_id))})
        after = {name: self._esign_display_value(name) for name in changes}
        self.env['esign.contract.correction']._esign_record_changes(self, before, after, reason)
        self.env['esign.operation.log']._esign_record(
            'correct', contract=self, reason=reason, before=before, after=after)
        return True

    def _esign_display_value(self, name):
        """How a value is written in the correction history (the same in every language)."""
        value = self[name]
        field = self._fields[name]
        if field.type == 'monetary':
            return f'{value:,.{self.currency_id.decimal_places}f} {self.currency_id.name}' if value else ''
        if field.type == 'many2one':
            return value.display_name or ''
        if field.type == 'date':
            return fields.Date.to_string(value) or ''
        return value or ''

    def _esign_differs(self, name, value):
        field = self._fields[name]
        current = self[name]
        if field.type == 'many2one':
            return current.id != (value or False) and not (not current and not value)
        if field.type == 'monetary' or field.type == 'float':
            return float(current or 0.0) != float(value or 0.0) or (bool(current) != bool(value))
        if field.type == 'date':
            return current != (fields.Date.to_date(value) if value else False)
        return (current or False) != (value or False)

    # -- search ------------------------------------------------------------------------------

    @api.model
    def _esign_search_domain(self, *, date_from=None, date_to=None, date_empty=False, amount_min=None,
                             amount_max=None, amount_empty=False, partner=None, partner_empty=False,
                             contract_type=None, department=None, text=None):
        """The domain of a combined search; every given criterion must hold.
        An empty amount is no amount or 0 (Odoo reads both as 0)."""
        domain = []
        if date_empty:
            domain.append(('transaction_date', '=', False))
        if date_from:
            domain.append(('transaction_date', '>=', date_from))
        if date_to:
            domain.append(('transaction_date', '<=', date_to))
        if amount_empty:
            domain.append(('amount', '=', False))
        if amount_min is not None or amount_max is not None:
            # Odoo counts a missing number as 0: a range never matches a contract without an amount.
            domain.append(('amount', '!=', False))
        if amount_min is not None:
            domain.append(('amount', '>=', amount_min))
        if amount_max is not None:
            domain.append(('amount', '<=', amount_max))
        if partner_empty:
            domain.append(('partner_id', '=', False))
        if partner:
            domain.append(('partner_id', 'child_of', partner.commercial_partner_id.id))
        if contract_type:
            domain.append(('contract_type_id', '=', contract_type.id))
        if department and department.strip():
            domain.append(('department', 'ilike', department.strip()))
        if text and text.strip():
            term = text.strip()
            domain += ['|', '|', ('name', 'ilike', term), ('number', 'ilike', term), ('reference', 'ilike', term)]
        return domain

    # -- システム概要書: the settings in force, next to the document --------------------------

    @api.model
    def _esign_overview_settings(self):
        """What the system overview page shows of this database's configuration,
        limited to the companies the user works in now (env.companies): the
        page reads as superuser, and one town's figures are not another's."""
        params = self.env['ir.config_parameter'].sudo()
        companies = self.env.companies.ids
        mine = [('company_id', 'in', companies)]
        mine_or_shared = [('company_id', 'in', companies + [False])]
        keys = self.env['esign.witness.key'].sudo().search(mine + [('state', '=', 'active')])
        log = self.env['esign.operation.log'].sudo()
        last = log.search(mine + [('chain_seq', '!=', False)], order='chain_seq desc', limit=1)
        return {
            'contract_types': self.env['esign.contract.type'].sudo().search(mine_or_shared),
            'tsas': self.env['esign.tsa'].sudo().search(mine_or_shared),
            'witness_keys': keys,
            'renewal_months': int(params.get_param('esign_municipal.renewal_months', 12)),
            'public_verification': str(params.get_param('esign_municipal.public_verification')).lower()
                                   in ('1', 'true', 'yes'),
            'contract_count': self.sudo().search_count(mine),
            'log_count': log.search_count(mine),
            'log_head': last,
        }

    # -- actions ----------------------------------------------------------------------------

    def action_correct_metadata(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Correct metadata'),
            'res_model': 'esign.contract.correct.wizard',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_contract_id': self.id},
        }

    def action_view_envelope(self):
        self.ensure_one()
        return {'type': 'ir.actions.act_window', 'res_model': 'esign.envelope', 'res_id': self.envelope_id.id,
                'view_mode': 'form'}

    def action_view_log(self):
        self.ensure_one()
        domain = [('contract_ref', '=', self.id)]
        if self.envelope_id:
            domain = ['|', ('envelope_ref', '=', self.envelope_id.id)] + domain
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Operation log: %s', self.display_name),
            'res_model': 'esign.operation.log',
            'view_mode': 'list,form',
            'domain': domain,
        }

    def action_verify_signatures(self):
        """The signature report (署名検証) of every document of the contract."""
        self.ensure_one()
        wizard = self.env['esign.verify.wizard'].create({'contract_id': self.id})
        wizard._esign_verify_contract()
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Signature verification: %s', self.display_name),
            'res_model': 'esign.verify.wizard',
            'res_id': wizard.id,
            'view_mode': 'form',
            'target': 'new',
        }

    def action_download_audit_certificate(self):
        self.ensure_one()
        return self.envelope_id.action_download_audit_certificate()

    def action_export_csv(self):
        return self.env['esign.archive.csv']._esign_contracts_csv_action(self)
