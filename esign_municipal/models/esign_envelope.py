"""The envelope (封筒): the documents, the signers and their fields, sent together.

Its whole life is here: the draft the sender edits, sending, invitations and
reminders, cancelling, declining and expiry, the end of signing (validation
data and the final timestamp), then the archive and the audit certificate
(合意締結証明書). The signer's side of each step is on esign.signer.
"""
import datetime
import hashlib
import logging

from cryptography import x509
from markupsafe import Markup

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.esign_hsm.engine.signers import to_asn1_cert

from ..engine import ltv, trust
from ..engine.jst import format_jst, jst_today
from ..tools import archive_guard
from . import pdf_errors

_logger = logging.getLogger(__name__)

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

TEMPLATE_INVITATION = 'esign_municipal.mail_template_signature_request'
TEMPLATE_REMINDER = 'esign_municipal.mail_template_signature_reminder'
TEMPLATE_COMPLETED = 'esign_municipal.mail_template_completed'
TEMPLATE_DECLINED = 'esign_municipal.mail_template_declined'
TEMPLATE_CANCELLED = 'esign_municipal.mail_template_cancelled'
TEMPLATE_EXPIRED = 'esign_municipal.mail_template_expired'
AUDIT_REPORT = 'esign_municipal.action_report_audit_certificate'

# Rendering an order's PDF (wkhtmltopdf) is the slow part of sending, so the
# bulk action only creates the drafts and queues them; a cron renders the
# orders of a batch in one run and sends them.
QUEUE_BATCH = 100
# Documents the officer did not lay out: every signer with an invisible
# signature gets a signature field on them automatically.
AUTO_SIGNATURE_SOURCES = ('order_report', 'order_attachment')


class EsignEnvelope(models.Model):
    """An envelope (封筒): the documents, the signers and their fields, sent together.

    Editable while a draft (esign.document, esign.signer and esign.field are
    frozen with it, see esign.envelope.content.mixin); archived, and locked
    for everyone, once completed (esign.archive.lock.mixin, last in _inherit
    so that its guard runs below every other override).
    """
    _name = 'esign.envelope'
    _description = 'Envelope'
    _inherit = ['mail.thread', 'mail.activity.mixin', 'esign.flow.fields.mixin', 'esign.archive.lock.mixin']
    # The status and the audit certificate are the flow's (see esign.flow.fields.mixin); so is the
    # list of the order's files that sending removes (it deletes them as superuser).
    _esign_flow_fields = _FLOW_FIELDS | {'audit_certificate_blob_id', 'contract_ids', 'move_order_attachment_ids'}
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
    queue_order_report = fields.Boolean(
        string="Add the order's PDF", copy=False,
        help="The purchase order's own PDF is added as the first document when the envelope is sent.")
    # Set by the purchase wizard ("move them into the envelope"); only what
    # _esign_remove_moved_order_attachments accepts is removed, when sending.
    move_order_attachment_ids = fields.Many2many(
        'ir.attachment', 'esign_envelope_move_order_attachment_rel', 'envelope_id', 'attachment_id',
        string="Order's files to remove when sent", readonly=True, copy=False,
        help="When the envelope is sent, these files of the purchase order, if the envelope still holds them, "
             "are removed from the order: the envelope keeps them encrypted.")
    # Their names, for the draft's form: the sender may have no rights on the order's attachments.
    move_order_attachment_names = fields.Char(
        string="Order's files to move", compute='_compute_move_order_attachment_names',
        help="Chosen when the envelope was made from the order: when the envelope is sent, those of these "
             "files that it still holds leave the order (the envelope keeps them encrypted).")

    document_ids = fields.One2many('esign.document', 'envelope_id', string='Documents', copy=False)
    signer_ids = fields.One2many('esign.signer', 'envelope_id', string='Signers', copy=False)
    field_ids = fields.One2many('esign.field', 'envelope_id', string='Fields', copy=False)
    document_count = fields.Integer(compute='_compute_counts', string='Number of documents')
    signer_count = fields.Integer(compute='_compute_counts', string='Number of signers')
    signed_count = fields.Integer(compute='_compute_counts', string='Signed')
    progress = fields.Char(compute='_compute_counts', string='Signed / signers')
    can_sign_as_me = fields.Boolean(compute='_compute_can_sign_as_me', string='I can sign')

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

    contract_ids = fields.One2many('esign.contract', 'envelope_id', string='Archived contract', readonly=True)
    # 合意締結証明書, kept encrypted like the documents (it names people, addresses and IPs).
    audit_certificate_blob_id = fields.Many2one('esign.vault.blob', string='Audit certificate file', readonly=True,
                                                copy=False, ondelete='restrict', groups='base.group_system')
    has_audit_certificate = fields.Boolean(compute='_compute_has_audit_certificate', string='Audit certificate ready')
    log_count = fields.Integer(compute='_compute_log_count', string='Log entries')

    _sql_constraints = [
        ('number_unique', 'UNIQUE (number)', 'The envelope number must be unique.'),
    ]

    # -- defaults and computed fields --------------------------------------------------------------

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

    @api.depends_context('uid')
    @api.depends('signer_ids.state', 'signer_ids.user_id', 'signer_ids.invited_email')
    def _compute_can_sign_as_me(self):
        for envelope in self:
            envelope.can_sign_as_me = bool(envelope._esign_my_signer())

    @api.depends('audit_certificate_blob_id')
    def _compute_has_audit_certificate(self):
        for envelope in self:
            envelope.has_audit_certificate = bool(envelope.sudo().audit_certificate_blob_id)

    def _compute_log_count(self):
        counts = dict(self.env['esign.operation.log'].sudo()._read_group(
            [('envelope_ref', 'in', self.ids)], ['envelope_ref'], ['__count']))
        for envelope in self:
            envelope.log_count = counts.get(envelope.id, 0)

    # -- CRUD and guards: editable while a draft, locked once completed ----------------------------

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

    def _esign_locked(self):
        """A completed envelope is archived (esign.archive.lock.mixin)."""
        return self.filtered(lambda envelope: envelope.state == 'completed')

    def _esign_write(self, vals):
        """State changes of the signing flow; access was checked by the caller."""
        return self.sudo().write(vals)

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

    # -- actions: buttons and the field editor -----------------------------------------------------

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

    def action_apply_template(self):
        self.ensure_one()
        self._esign_check_draft()
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Start from a template'),
            'res_model': 'esign.template.apply.wizard',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_envelope_id': self.id},
        }

    def action_cancel_wizard(self):
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Cancel envelope'),
            'res_model': 'esign.cancel.wizard',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_envelope_id': self.id},
        }

    def action_sign_as_me(self):
        return self._esign_my_signer_wizard('esign.approve.wizard', self.env._('Sign %s', self.display_name))

    def action_decline_as_me(self):
        return self._esign_my_signer_wizard('esign.decline.wizard', self.env._('Decline %s', self.display_name))

    def action_open_signing_page(self):
        """An internal approver signs through the same page as contractors
        (the back-office wizard stays available)."""
        self.ensure_one()
        signer = self._esign_my_signer()
        if not signer:
            raise UserError(self.env._('You have no signature to give on this envelope right now.'))
        return {'type': 'ir.actions.act_url', 'url': f'/esign/sign/{signer.id}', 'target': 'self'}

    def action_download_audit_certificate(self):
        self.ensure_one()
        self.check_access('read')
        if not self.has_audit_certificate:
            raise UserError(self.env._('The audit certificate of %s is not ready yet: it is made when the envelope '
                                       'is completed.', self.display_name))
        return {'type': 'ir.actions.act_url', 'target': 'download',
                'url': f'/esign/audit-certificate/{self.id}'}

    def action_view_log(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Operation log: %s', self.display_name),
            'res_model': 'esign.operation.log',
            'view_mode': 'list,form',
            'domain': [('envelope_ref', '=', self.id)],
        }

    def action_view_contract(self):
        self.ensure_one()
        return {'type': 'ir.actions.act_window', 'res_model': 'esign.contract',
                'res_id': self.contract_ids[:1].id, 'view_mode': 'form'}

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

    # -- flow: sending -----------------------------------------------------------------------------

    def action_send(self):
        """Checks everything, prepares every field of every document up front,
        and asks the first signer(s). One transaction: all or nothing."""
        self.check_access('write')
        with self.env['esign.key.custody']._kek_scope(self.company_id):
            checked = {envelope: envelope._esign_check_sendable() for envelope in self}
            for envelope in self:
                envelope._esign_prepare_documents(checked[envelope])
                envelope._esign_write({'state': 'sent', 'sent_at': fields.Datetime.now(), 'send_queued': False})
                envelope.signer_ids._esign_record_invited_email()
                envelope._esign_subscribe_internal_signers()
                envelope.message_post(body=self.env._('Envelope sent.'))
                envelope._esign_log('send')
                envelope._esign_invite_next()
                # Last, and in the same transaction: a send that fails removes nothing.
                envelope._esign_remove_moved_order_attachments()
            return True

    def _esign_check_sendable(self):
        """Raises one UserError listing every problem that prevents sending;
        else {document: (original PDF, its inspection)} for the preparation."""
        self.ensure_one()
        _ = self.env._
        if self.state != 'draft':
            raise UserError(_('The envelope %s has already been sent.', self.display_name))
        problems = []
        if not self.document_ids:
            problems.append(_('Add at least one PDF document.'))
        if not self.signer_ids:
            problems.append(_('Add at least one signer.'))
        if self.expiry_date and self.expiry_date < jst_today():
            problems.append(_('The expiry date %s is in the past.', self.expiry_date))
        for signer in self.signer_ids:
            if not signer._esign_has_valid_email():
                problems.append(_('%s has no valid email address: the signature request could not be delivered.',
                                  signer.name))
            signatures = signer.field_ids.filtered(lambda f: f.field_type == 'signature')
            if not signatures:
                problems.append(_('%s has no signature field. Place one on a document.', signer.name))
            for document in signer.field_ids.document_id - signatures.document_id:
                problems.append(_('%(signer)s has fields on "%(document)s" but no signature field there.',
                                  signer=signer.name, document=document.name))
        checked = {}
        for document in self.document_ids:
            if not document.has_file:
                problems.append(_('"%s" has no PDF file.', document.name))
                continue
            data = document._read_pdf('original')
            try:
                info = pdf_errors.inspect_pdf(self.env, data, document.name)
            except UserError as exc:
                problems.append(exc.args[0])
                continue
            checked[document] = (data, info)
            for field in document.field_ids.filtered(lambda f: f.page > info.page_count):
                problems.append(_('"%(document)s" has %(count)s page(s); a field is on page %(page)s.',
                                  document=document.name, count=info.page_count, page=field.page))
            # A PDF signed elsewhere takes only the fields its signatures allow.
            try:
                pdf_errors.check_field_specs(self.env, info, [f._esign_field_spec() for f in document.field_ids],
                                             document.name)
            except UserError as exc:
                problems.append(exc.args[0])
        if problems:
            raise UserError(_('The envelope %s cannot be sent yet:', self.display_name) + '\n- '
                            + '\n- '.join(problems))
        return checked

    def _esign_prepare_documents(self, checked):
        """Creates every field of every signer in every PDF before any signature
        (later steps only fill values and sign, in incremental updates).
        checked: what _esign_check_sendable read and inspected (not done twice)."""
        for document in self.document_ids:
            data, info = checked[document]
            specs = [field._esign_field_spec() for field in document.field_ids]
            prepared = pdf_errors.prepare_pdf(self.env, data, specs, document.name, info)
            document._write_pdf('current', prepared)

    def _esign_subscribe_internal_signers(self):
        partners = self.signer_ids.filtered('user_id').partner_id
        if partners:
            self.message_subscribe(partner_ids=partners.ids)

    def _esign_next_signers(self):
        """Who is asked now: everyone waiting (parallel), or the lowest order
        number once nobody is still signing (in order)."""
        self.ensure_one()
        waiting = self.signer_ids.filtered(lambda s: s.state == 'waiting')
        if self.signing_mode == 'parallel' or not waiting:
            return waiting
        if self.signer_ids.filtered(lambda s: s.state in ('invited', 'pending')):
            return waiting.browse()
        first = min(waiting.mapped('signing_order'))
        return waiting.filtered(lambda s: s.signing_order == first)

    def _esign_invite_next(self):
        self.ensure_one()
        signers = self._esign_next_signers()
        if signers:
            signers._esign_invite()
        return signers

    # -- flow: envelopes from purchase orders, and the bulk sending queue --------------------------

    def _esign_open_action(self):
        action = self.env['ir.actions.act_window']._for_xml_id('esign_municipal.action_esign_envelope')
        if len(self) == 1:
            action.update(view_mode='form', views=[(False, 'form')], res_id=self.id)
        else:
            action['domain'] = [('id', 'in', self.ids)]
        return action

    def _esign_add_order_documents(self):
        """Renders the orders' PDFs (one wkhtmltopdf run for all) and adds the
        default invisible signature fields to the order's documents."""
        wanted = self.filtered(lambda e: e.queue_order_report and e.purchase_order_id and not any(
            d.source == 'order_report' for d in e.document_ids))
        pdfs = wanted.purchase_order_id.sudo()._esign_order_pdfs() if wanted else {}
        for envelope in wanted:
            order = envelope.purchase_order_id
            document = self.env['esign.document'].create({
                'envelope_id': envelope.id,
                'name': self.env._('Purchase order %s', order.name),
                'filename': f'{order.name}.pdf',
                'sequence': 10,
                'source': 'order_report',
            })
            document._esign_set_original(pdfs[order.id])
        self._esign_add_default_signature_fields()

    def _esign_add_default_signature_fields(self):
        values = []
        for envelope in self:
            for document in envelope.document_ids.filtered(lambda d: d.source in AUTO_SIGNATURE_SOURCES):
                signed = document.field_ids.filtered(lambda f: f.field_type == 'signature').signer_id
                for signer in envelope.signer_ids.filtered(lambda s: s.signature_type == 'invisible') - signed:
                    values.append({'document_id': document.id, 'signer_id': signer.id, 'field_type': 'signature',
                                   'page': 1, 'required': True, 'label': self.env._('Signature')})
        return self.env['esign.field'].create(values)

    @api.depends('move_order_attachment_ids')
    def _compute_move_order_attachment_names(self):
        for envelope in self:
            envelope.move_order_attachment_names = ', '.join(sorted(envelope.sudo().move_order_attachment_ids.mapped('name')))

    def _esign_remove_moved_order_attachments(self):
        """The order's files the officer chose to move into the envelope leave
        the order now that it is sent: the envelope keeps them encrypted, and
        the order's chatter names them and links to the envelope.

        Removed as superuser (the sender of a draft may have no purchase
        rights; whoever chose to move them had to be allowed to remove them):
        only attachments of the envelope's own order whose content is still
        one of the envelope's documents, whatever the list holds.
        """
        self.ensure_one()
        order = self.purchase_order_id.sudo()
        listed = self.sudo().move_order_attachment_ids
        if not order or not listed:
            return
        Attachment = self.env['ir.attachment'].sudo()
        in_envelope = {Attachment._compute_checksum(document._read_pdf('original'))
                       for document in self.document_ids if document.has_file}
        moved = listed.filtered(lambda a: a.res_model == order._name and a.res_id == order.id and not a.res_field
                                and a.type == 'binary' and a.checksum in in_envelope)
        self._esign_write({'move_order_attachment_ids': [Command.clear()]})
        if not moved:
            return
        names = ', '.join(moved.mapped('name'))
        moved.unlink()
        # Posted by the sender (sudo keeps the user), who may not otherwise write on the order.
        order.message_post(body=Markup(self.env._(
            'Moved into the envelope %(envelope)s, where they are kept encrypted: %(files)s')) % {
                'envelope': self._get_html_link(), 'files': names})
        # Odoo erases a deleted attachment's file in its daily filestore clean-up;
        # these go as soon as the transaction is committed (once, for all envelopes).
        postcommit = self.env.cr.postcommit
        if not postcommit.data.get('esign_municipal.collect_filestore'):
            postcommit.data['esign_municipal.collect_filestore'] = True
            registry = self.env.registry
            postcommit.add(lambda: _collect_filestore(registry))

    def _esign_queue_for_sending(self):
        self.check_access('write')
        self._esign_check_draft()
        self._esign_write({'send_queued': True})
        self.env.ref('esign_municipal.ir_cron_esign_send_queue')._trigger()

    @api.model
    def _cron_send_queued(self, batch_size=QUEUE_BATCH):
        queued = self.sudo().search([('send_queued', '=', True), ('state', '=', 'draft')], order='id')
        batch = queued[:batch_size]
        batch._esign_add_order_documents()
        for envelope in batch:
            try:
                with self.env.cr.savepoint():
                    envelope.with_user(envelope.user_id).action_send()
            except UserError as exc:
                envelope._esign_queue_failed(exc.args[0])
        self.env['ir.cron']._notify_progress(done=len(batch), remaining=len(queued) - len(batch))
        return len(queued) - len(batch)

    def _esign_queue_failed(self, message):
        """A queued envelope could not be sent: its sender sees why, and the draft stays."""
        self._esign_write({'send_queued': False})
        self.message_post(body=Markup('%s<br/>%s') % (
            self.env._('The envelope could not be sent:'), message))
        self.activity_schedule('mail.mail_activity_data_todo', user_id=self.user_id.id,
                               summary=self.env._('Envelope not sent'), note=message)

    # -- flow: reminders ---------------------------------------------------------------------------

    def action_remind(self):
        self.check_access('write')
        reminded = self.env['esign.signer']
        for envelope in self:
            if envelope.state not in OPEN_STATES:
                raise UserError(self.env._('Only envelopes waiting for signatures can be reminded.'))
            reminded |= envelope.signer_ids.filtered(lambda s: s.state == 'invited')
        reminded._esign_remind()
        return True

    @api.model
    def _cron_send_reminders(self):
        days = int(self.env['ir.config_parameter'].sudo().get_param('esign_municipal.reminder_interval_days', 3))
        if days <= 0:
            return
        due = fields.Datetime.now() - datetime.timedelta(days=days)
        signers = self.env['esign.signer'].sudo().search([
            ('state', '=', 'invited'),
            ('envelope_id.state', 'in', OPEN_STATES),
            ('envelope_id.expiry_date', '>=', jst_today()),
            ('invited_at', '<=', due),
            '|', ('last_reminder_at', '=', False), ('last_reminder_at', '<=', due),
        ])
        signers._esign_remind()

    # -- flow: cancel, decline, expire -------------------------------------------------------------

    def _esign_cancel(self, reason):
        """Cancels a draft or open envelope; the signers already asked are told why."""
        self.check_access('write')
        reason = (reason or '').strip()
        if not reason:
            raise UserError(self.env._('Enter the reason for cancelling: it is sent to the signers.'))
        for envelope in self:
            if envelope.state not in ('draft',) + OPEN_STATES:
                raise UserError(self.env._('The envelope %s can no longer be cancelled.', envelope.display_name))
            told = envelope.signer_ids.filtered(lambda s: s.state in ('invited', 'pending', 'signed'))
            envelope._esign_write({'state': 'cancelled', 'cancel_reason': reason, 'send_queued': False})
            envelope.signer_ids._esign_revoke_tokens()
            told._esign_send_mail(TEMPLATE_CANCELLED)
            envelope.activity_ids.unlink()
            envelope.message_post(body=Markup('%s<br/>%s') % (
                self.env._('Envelope cancelled. Reason:'), reason))
            envelope._esign_log('cancel', reason=reason)
        return True

    def _esign_declined_by(self, signer):
        """A signer declined: the envelope stops and everyone involved is told."""
        self.ensure_one()
        self._esign_write({'state': 'declined'})
        self.signer_ids._esign_revoke_tokens()
        others = self.signer_ids.filtered(lambda s: s != signer and s.state in ('invited', 'pending', 'signed'))
        others._esign_send_mail(TEMPLATE_DECLINED, declined_by=signer.name, decline_reason=signer.decline_reason)
        self.activity_ids.unlink()
        self.message_post(
            body=Markup('%s<br/>%s') % (
                self.env._('%s declined to sign. Reason:', signer.name), signer.decline_reason),
            partner_ids=self.user_id.partner_id.ids, subtype_xmlid='mail.mt_comment')

    @api.model
    def _cron_expire(self):
        envelopes = self.sudo().search([('state', 'in', OPEN_STATES), ('expiry_date', '<', jst_today())])
        for envelope in envelopes:
            # Someone who signed still learns that the contract did not come about.
            told = envelope.signer_ids.filtered(lambda s: s.state in ('invited', 'pending', 'signed'))
            envelope._esign_write({'state': 'expired'})
            envelope.signer_ids._esign_revoke_tokens('sign')
            told._esign_send_mail(TEMPLATE_EXPIRED)
            envelope.activity_ids.unlink()
            envelope.message_post(
                body=self.env._('The expiry date passed before every signer signed: the envelope expired.'),
                partner_ids=envelope.user_id.partner_id.ids, subtype_xmlid='mail.mt_comment')
            envelope._esign_log('expire')

    # -- flow: after each signature, and the end ---------------------------------------------------

    def _esign_lock(self):
        """Serializes the signing steps of one envelope.

        The UPDATE takes the row lock; a concurrent transaction that already
        read the envelope then fails with a serialization error when it tries
        the same, and Odoo retries it on a fresh snapshot that includes this
        signature. SELECT ... FOR UPDATE alone would not: a lock that changed
        nothing does not invalidate the other transaction's snapshot.
        """
        self.ensure_one()
        # The serialization failure is expected and retried: not an error for the log.
        self.env.cr.execute(
            'UPDATE esign_envelope SET signing_revision = signing_revision + 1 WHERE id = %s', [self.id],
            log_exceptions=False)
        self.invalidate_recordset()
        self.signer_ids.invalidate_recordset()
        self.document_ids.invalidate_recordset()

    def _esign_after_signature(self, signer):
        self.ensure_one()
        if self.state == 'sent':
            self._esign_write({'state': 'in_progress'})
        if all(s.state == 'signed' for s in self.signer_ids):
            self._esign_finalize()
        else:
            self._esign_invite_next()

    def _esign_finalize(self):
        """Adds validation data and a document timestamp to every document
        (PAdES B-LTA), tells every party, then archives the envelope. A TSA
        outage leaves it pending for the retry cron."""
        self.ensure_one()
        # One KEK resolution (one HSM login) for the final timestamps, the archive and its audit certificate.
        with self.env['esign.key.custody']._kek_scope(self.company_id):
            try:
                with self.env.cr.savepoint():
                    timestamper = self._esign_timestamper()
                    context = self._esign_validation_context()
                    for document in self.document_ids:
                        final = ltv.finalize(document._read_pdf('current'), timestamper=timestamper,
                                             validation_context=context)
                        document._write_pdf('current', final)
            except Exception as exc:
                if not pdf_errors.is_transient_timestamp_failure(exc):
                    raise pdf_errors.signing_user_error(self.env, exc) or exc
                _logger.warning('Envelope %s: final timestamp unavailable (%s); will retry', self.number, exc)
                if not self.finalize_pending:
                    self._esign_write({'finalize_pending': True})
                    self.message_post(body=self.env._(
                        'Everyone has signed. The timestamp authority could not be reached for the final '
                        'timestamp; it is retried automatically.'))
                return False
            self._esign_write({'state': 'completed', 'completed_at': fields.Datetime.now(), 'finalize_pending': False})
            self.signer_ids._esign_revoke_tokens('sign')
            self._esign_notify_completed()
            self._esign_on_completed()
            self._esign_log('complete')
            self._esign_archive()
            return True

    def _esign_notify_completed(self):
        """「電子署名完了のお知らせ」 to every party, each with their own download link."""
        urls = {signer.id: signer._esign_download_url(signer._esign_issue_token('download', 'complete'))
                for signer in self.signer_ids}
        self.signer_ids._esign_send_mail(TEMPLATE_COMPLETED, urls=urls, secret_kind='completed')
        self.activity_ids.unlink()
        self.message_post(body=self.env._('All signers have signed: the envelope is completed.'),
                          partner_ids=self.user_id.partner_id.ids, subtype_xmlid='mail.mt_comment')

    def _esign_on_completed(self):
        """Hook for what follows completion (the purchase order gets the signed PDFs)."""
        self.ensure_one()
        if self.purchase_order_id:
            self.purchase_order_id._esign_attach_signed(self)

    @api.model
    def _cron_retry_pending(self):
        """Applies signatures and final timestamps that waited for the TSA."""
        for signer in self.env['esign.signer'].sudo().search([('state', '=', 'pending')]):
            signer.envelope_id._esign_lock()
            if signer.state == 'pending' and signer.envelope_id.state in OPEN_STATES:
                signer._esign_apply_signature()
        for envelope in self.sudo().search([('finalize_pending', '=', True), ('state', 'in', OPEN_STATES)]):
            envelope._esign_lock()
            envelope._esign_finalize()

    # -- flow: the archive and the audit certificate (合意締結証明書) -------------------------------------

    def _esign_archive(self):
        """Archive record and audit certificate of a completed envelope. The
        certificate needs the timestamp authority: when it cannot be made now,
        the cron makes it later (the contract is archived either way)."""
        self.ensure_one()
        self.env['esign.contract']._esign_archive_envelope(self)
        if self.sudo().audit_certificate_blob_id:
            return True
        try:
            with self.env.cr.savepoint():
                self._esign_attach_audit_certificate()
        except Exception as exc:  # noqa: BLE001 - retried by _cron_archive_pending
            _logger.warning('Envelope %s: audit certificate postponed (%s)', self.number, exc)
            return False
        return True

    def _esign_attach_audit_certificate(self):
        """Renders the certificate, adds a document timestamp so that it is
        tamper-evident too, and attaches it to the envelope."""
        self.ensure_one()
        envelope = self.sudo()
        pdf = envelope._esign_render_audit_certificate()
        stamped = ltv.timestamp_document(pdf, timestamper=envelope._esign_timestamper(),
                                         validation_context=envelope._esign_validation_context())
        blob = self.env['esign.vault.blob'].sudo()._store(
            stamped, self.env._('Audit certificate %s.pdf', envelope.number), company=envelope.company_id)
        with archive_guard.unlocked(archive_guard.ARCHIVING):
            envelope.write({'audit_certificate_blob_id': blob.id})
        envelope.message_post(body=self.env._('The audit certificate is attached.'))
        return blob

    def _esign_render_audit_certificate(self):
        # Rendered with wkhtmltopdf even in test mode: what is attached must be a real PDF;
        # its Japanese extracted as shown (context esign_searchable_text, see ir.actions.report).
        report = self.env['ir.actions.report'].with_context(force_report_rendering=True, esign_searchable_text=True)
        if not self.env.registry.ready:
            # The database is being built (demo data): Odoo's web server waits for
            # this very registry, so wkhtmltopdf would wait forever for the
            # report's stylesheets (or fetch them from whatever else listens at
            # web.base.url). The certificate's layout does not depend on them.
            report = report.with_context(esign_report_offline=True)
        pdf, _kind = report._render_qweb_pdf(AUDIT_REPORT, self.ids)
        return pdf

    @api.model
    def _cron_archive_pending(self):
        """Completed envelopes not archived yet, or still without their audit certificate."""
        envelopes = self.sudo().search([('state', '=', 'completed'), '|', ('contract_ids', '=', False),
                                        ('audit_certificate_blob_id', '=', False)])
        for envelope in envelopes:
            envelope._esign_archive()

    # -- helpers: the operation log ----------------------------------------------------------------

    def _esign_log(self, event, signer=None, document=None, request_info=None, **details):
        """Single place where every envelope event passes (send, remind, sign,
        decline, cancel, expire, download, view ...): each writes its
        hash-chained entry in the operation log (操作ログ). The human-readable
        story is in the chatter, posted by each action."""
        Log = self.env['esign.operation.log']
        for envelope in self:
            Log._esign_record(event, envelope=envelope, signer=signer, document=document,
                              request_info=request_info, **details)
        return True

    # -- helpers: who is signing in the back office ------------------------------------------------

    def _esign_my_signer(self):
        """The signer the logged-in user is (their contact, and the address the request went to), when it
        is their turn."""
        self.ensure_one()
        return self.signer_ids.filtered(
            lambda s: s.state == 'invited' and s._esign_is_logged_in_signer(self.env.user))[:1]

    def _esign_my_signer_wizard(self, model, title):
        self.ensure_one()
        signer = self._esign_my_signer()
        if not signer:
            raise UserError(self.env._('You have no signature to give on this envelope right now.'))
        return {
            'type': 'ir.actions.act_window',
            'name': title,
            'res_model': model,
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_signer_id': signer.id},
        }

    # -- helpers: timestamps and validation data ---------------------------------------------------
    # The timestamper is esign_timestamp's (the company's TSAs, with failover);
    # the trust anchors are the roots of the witness certificate chain held by
    # esign_hsm. Revocation data (OCSP/CRL) is fetched from the URLs in the
    # certificates, except for a demo PKI without a server (the demo database
    # is built with --stop-after-init), whose CRLs and OCSP answers are made
    # in-process and clearly come from the DEMO - UNTRUSTED CA.

    def _esign_timestamper(self):
        """A pyHanko TimeStamper over the company's TSAs (esign_timestamp, with
        failover); every token it obtains is recorded against this envelope."""
        self.ensure_one()
        return self.env['esign.tsa']._get_timestamper(
            self.company_id, res_model=self._name, res_id=self.id, description=self.display_name)

    def _esign_validation_context(self):
        """The pyHanko ValidationContext used to embed LTV data at finalization."""
        self.ensure_one()
        custody = self.env['esign.key.custody'].sudo()
        key = custody._active_witness_key(self.company_id)
        chain = [custody._load_certificate(record) for record in key.chain_certificate_ids]
        roots = [cert for cert in chain if cert.issuer == cert.subject]
        intermediates = [cert for cert in chain if cert.issuer != cert.subject]
        roots += self._esign_tsa_trust_roots()
        roots, intermediates = [to_asn1_cert(c) for c in roots], [to_asn1_cert(c) for c in intermediates]
        demo = self.env['esign.demo.pki'].sudo().search(
            [('company_id', '=', self.company_id.id), ('witness_key_id', '=', key.id)], limit=1)
        if demo and not demo.base_url:
            revocation = demo._revocation_data()
            return trust.validation_context(roots, intermediates=intermediates, crls=revocation['crls'],
                                            ocsps=revocation['ocsps'], allow_fetching=False)
        return trust.validation_context(roots, intermediates=intermediates)

    def _esign_tsa_trust_roots(self):
        """Roots the company's TSAs chain to (an accredited TSA has its own CA)."""
        tsas = self.env['esign.tsa'].sudo().search([('company_id', 'in', [False, self.company_id.id])])
        return [cert for pem in tsas.mapped('trust_roots_pem') if pem and pem.strip()
                for cert in x509.load_pem_x509_certificates(pem.encode())]

    # -- helpers: what the audit certificate shows -------------------------------------------------

    def _esign_audit_certificate_pdf(self):
        """The bytes of the audit certificate attached on completion, or None
        while it is not made yet. The caller checks who may read it."""
        self.ensure_one()
        blob = self.sudo().audit_certificate_blob_id
        return blob._read() if blob else None

    def _esign_audit_certificate_filename(self):
        self.ensure_one()
        return self.env._('Audit certificate %s.pdf', self.number)

    def _esign_audit_events(self):
        """Every logged event of the envelope, oldest first, for the certificate."""
        self.ensure_one()
        auth_labels = dict(self.env['esign.signer']._fields['auth_method']._description_selection(self.env))
        entries = self.env['esign.operation.log'].sudo().search([('envelope_ref', '=', self.id)], order='id')
        return [{
            'id': entry.id,
            'time': format_jst(entry.logged_at),
            'event': entry.event_label,
            'who': entry.partner_name or entry.user_name or self.env._('System'),
            'document': entry.document_name or '',
            'ip': entry.ip_address or '',
            'user_agent': entry.user_agent or '',
            'auth': auth_labels.get(entry.auth_method, entry.auth_method or ''),
        } for entry in entries]

    def _esign_audit_documents(self):
        self.ensure_one()
        return [{'name': document.name, 'pages': document.page_count,
                 'sha256': hashlib.sha256(document._read_pdf('current')).hexdigest()}
                for document in self.sudo().document_ids]

    def _esign_audit_signers(self):
        self.ensure_one()
        auth_labels = dict(self.env['esign.signer']._fields['auth_method']._description_selection(self.env))
        return [{'name': signer.name, 'email': signer.email or '',
                 'role': dict(signer._fields['role']._description_selection(self.env)).get(signer.role, ''),
                 'signed_at': format_jst(signer.signed_at), 'ip': signer.signed_ip or '',
                 'user_agent': signer.signed_user_agent or '', 'auth': auth_labels.get(signer.auth_method, '')}
                for signer in self.sudo().signer_ids]

    def _esign_format_jst(self, value):
        return format_jst(value)


def _collect_filestore(registry):
    """Odoo's own filestore garbage collection (it locks the attachments while it runs)."""
    with registry.cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {})['ir.attachment']._gc_file_store()
