import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

JST = pytz.timezone('Asia/Tokyo')

ENVELOPE_STATES = [
    ('draft', 'Draft'),
    ('sent', 'Sent'),
    ('in_progress', 'In progress'),
    ('completed', 'Completed'),
    ('declined', 'Declined'),
    ('expired', 'Expired'),
    ('cancelled', 'Cancelled'),
]
OPEN_STATES = ('sent', 'in_progress')

# Once sent, an envelope's content is what the signers agree to: only the
# signing flow (which writes as superuser) and the chatter may change it.
_WRITABLE_AFTER_SENDING_PREFIXES = ('message_', 'activity_')
# Written only by the signing flow (as superuser).
_FLOW_FIELDS = frozenset({'state', 'number', 'sent_at', 'completed_at', 'cancel_reason', 'finalize_pending',
                          'send_queued', 'signing_revision'})


def jst_today():
    return datetime.datetime.now(JST).date()


def end_of_day_utc(day):
    """The last moment of `day` in Japan, as a naive UTC datetime (Odoo's storage)."""
    local = JST.localize(datetime.datetime.combine(day, datetime.time.max))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


class EsignEnvelope(models.Model):
    """An envelope (封筒): the documents, the signers and their fields, sent together."""
    _name = 'esign.envelope'
    _description = 'Envelope'
    _inherit = ['mail.thread', 'mail.activity.mixin', 'esign.flow.fields.mixin']
    _esign_flow_fields = _FLOW_FIELDS
    _order = 'id desc'
    _rec_names_search = ['number', 'name']
    _check_company_auto = True

    number = fields.Char(string='Envelope number', readonly=True, copy=False, index=True,
                         help='Ten-digit number that identifies the envelope in mails and in the archive.')
    name = fields.Char(string='Title', required=True, tracking=True)
    company_id = fields.Many2one('res.company', string='Company', required=True, index=True,
                                 default=lambda self: self.env.company)
    user_id = fields.Many2one('res.users', string='Sender', required=True, tracking=True, check_company=True,
                              default=lambda self: self.env.user, domain=[('share', '=', False)])
    state = fields.Selection(ENVELOPE_STATES, string='Status', required=True, default='draft', readonly=True,
                             copy=False, tracking=True, index=True)
    signing_mode = fields.Selection(
        [('sequential', 'In order'), ('parallel', 'In parallel')], string='Signing order',
        required=True, default='sequential',
        help='In order: each signer is asked only after the previous one has signed '
             '(signers with the same order number are asked together). '
             'In parallel: every signer is asked at once.')
    expiry_date = fields.Date(string='Expiry date', required=True, default=lambda self: self._default_expiry_date(),
                              tracking=True, help='Signers can sign until the end of this day (Japan time).')
    signer_message = fields.Text(string='Message to the signers')
    # Archive metadata (電子帳簿保存法 search keys).
    transaction_date = fields.Date(string='Transaction date', tracking=True)
    currency_id = fields.Many2one('res.currency', string='Currency', required=True,
                                  default=lambda self: self.env.company.currency_id)
    amount = fields.Monetary(string='Transaction amount', currency_field='currency_id', tracking=True)
    partner_id = fields.Many2one('res.partner', string='Counterparty', tracking=True, index=True)
    contract_type_id = fields.Many2one('esign.contract.type', string='Contract type', check_company=True)
    department = fields.Char(string='Department')
    purchase_order_id = fields.Many2one('purchase.order', string='Purchase order', index=True, copy=False,
                                        check_company=True)

    document_ids = fields.One2many('esign.document', 'envelope_id', string='Documents', copy=False)
    signer_ids = fields.One2many('esign.signer', 'envelope_id', string='Signers', copy=False)
    field_ids = fields.One2many('esign.field', 'envelope_id', string='Fields', copy=False)
    document_count = fields.Integer(compute='_compute_counts', string='Number of documents')
    signer_count = fields.Integer(compute='_compute_counts', string='Number of signers')
    signed_count = fields.Integer(compute='_compute_counts', string='Signed')
    progress = fields.Char(compute='_compute_counts', string='Signed / signers')

    sent_at = fields.Datetime(string='Sent on', readonly=True, copy=False)
    completed_at = fields.Datetime(string='Completed on', readonly=True, copy=False, index=True)
    cancel_reason = fields.Text(string='Reason for cancellation', readonly=True, copy=False)
    finalize_pending = fields.Boolean(
        string='Long-term validation pending', readonly=True, copy=False,
        help='Everyone has signed but the final timestamp could not be obtained yet; it is retried automatically.')
    send_queued = fields.Boolean(string='Queued for sending', readonly=True, copy=False, index=True)
    # Bumped under row lock by every signing step, so that concurrent
    # signers are serialized (see EsignSigner._complete_signing).
    signing_revision = fields.Integer(readonly=True, copy=False, default=0)

    _sql_constraints = [
        ('number_unique', 'UNIQUE (number)', 'The envelope number must be unique.'),
    ]

    @api.model
    def _default_expiry_date(self):
        days = int(self.env['ir.config_parameter'].sudo().get_param('esign_municipal.default_expiry_days', 14))
        return jst_today() + datetime.timedelta(days=max(days, 1))

    @api.depends('document_ids', 'signer_ids.state')
    def _compute_counts(self):
        for envelope in self:
            envelope.document_count = len(envelope.document_ids)
            envelope.signer_count = len(envelope.signer_ids)
            envelope.signed_count = len(envelope.signer_ids.filtered(lambda s: s.state == 'signed'))
            envelope.progress = f'{envelope.signed_count}/{envelope.signer_count}'

    @api.depends('number', 'name')
    def _compute_display_name(self):
        for envelope in self:
            envelope.display_name = ' '.join(filter(None, (envelope.number, envelope.name)))

    # -- CRUD and the lock after sending ------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env['ir.sequence'].sudo()
        for vals in vals_list:
            if not self.env.su and self._esign_flow_fields & set(vals):
                raise UserError(self.env._('A new envelope always starts as a draft.'))
            vals['number'] = sequence.next_by_code('esign.envelope')
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._esign_check_editable(vals)
        return super().write(vals)

    def unlink(self):
        if not self.env.su and any(envelope.state != 'draft' for envelope in self):
            raise UserError(self.env._(
                'Only draft envelopes can be deleted. Cancel a sent envelope instead; it stays on record.'))
        return super().unlink()

    def _esign_check_editable(self, vals):
        if self._esign_flow_fields & set(vals):
            raise UserError(self.env._('The status and the number of an envelope change only through its actions.'))
        locked = [name for name in vals if not name.startswith(_WRITABLE_AFTER_SENDING_PREFIXES)]
        if locked and any(envelope.state != 'draft' for envelope in self):
            raise UserError(self.env._(
                'This envelope has already been sent and can no longer be changed. '
                'To change it, cancel it, duplicate it and send the copy.'))

    def _esign_check_draft(self):
        """Refuses changes to documents, signers and fields of a sent envelope."""
        if any(envelope.state != 'draft' for envelope in self):
            raise UserError(self.env._(
                'This envelope has already been sent and can no longer be changed. '
                'To change it, cancel it, duplicate it and send the copy.'))

    def _esign_write(self, vals):
        """State changes of the signing flow; access was checked by the caller."""
        return self.sudo().write(vals)

    # -- duplicate -----------------------------------------------------------

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        for envelope, vals in zip(self, vals_list):
            if 'name' not in (default or {}):
                vals['name'] = self.env._('%s (copy)', envelope.name)
            vals['expiry_date'] = max(envelope.expiry_date, self._default_expiry_date())
        return vals_list

    def copy(self, default=None):
        copies = super().copy(default)
        for original, duplicate in zip(self, copies):
            original._esign_copy_content_to(duplicate)
            duplicate.message_post(body=self.env._('Duplicated from envelope %s.', original.display_name))
        return copies

    def _esign_copy_content_to(self, target):
        """Copies documents (original PDFs), signers and fields; never values or signatures."""
        self.ensure_one()
        signer_map = {}
        for signer in self.signer_ids:
            signer_map[signer] = signer.copy({'envelope_id': target.id})
        for document in self.document_ids:
            new_document = document.copy({'envelope_id': target.id})
            for field in document.field_ids:
                field.copy({'document_id': new_document.id, 'signer_id': signer_map[field.signer_id].id})
        return target

    # -- the hook for the operation log (issue 7 writes the entries) ----------

    def _esign_log(self, event, signer=None, document=None, request_info=None, **details):
        """Single place where every envelope event passes (send, remind, sign,
        decline, cancel, expire, download, view ...). The operation log
        (操作ログ) overrides this to write its hash-chained entry; the
        human-readable story is in the chatter, posted by each action."""
        return True

    # -- actions that open things -------------------------------------------

    def action_open_field_editor(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.client',
            'tag': 'esign_field_editor',
            'name': self.env._('Place fields: %s', self.display_name),
            'params': {'model': 'esign.envelope', 'res_id': self.id},
            'context': {'active_id': self.id},
        }

    def action_view_purchase_order(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'purchase.order',
            'res_id': self.purchase_order_id.id,
            'view_mode': 'form',
        }

    # -- the field editor (OWL client action esign_field_editor) ---------------------

    def esign_editor_load(self):
        """What the field editor shows: documents, signers and their fields."""
        self.ensure_one()
        self.check_access('read')
        Field = self.env['esign.field']
        return {
            'title': self.display_name,
            'readonly': self.state != 'draft' or not self.has_access('write'),
            'field_types': Field._fields['field_type']._description_selection(self.env),
            'documents': [{'id': document.id, 'name': document.name, 'page_count': document.page_count,
                           'url': f'/esign/document/{document.id}/original'}
                          for document in self.document_ids.filtered('has_file').sorted()],
            'parties': [{'id': signer.id, 'name': signer.name, 'color': signer.color} for signer in self.signer_ids],
            'fields': self.field_ids._layout_editor_values('signer_id'),
        }

    def esign_editor_save(self, fields_data):
        """Replaces the envelope's fields by the editor's (draft envelopes only)."""
        self.ensure_one()
        self.check_access('write')
        self._esign_check_draft()
        self.env['esign.field']._layout_sync(self.field_ids, fields_data, self.document_ids, self.signer_ids,
                                             'signer_id')
        return True
