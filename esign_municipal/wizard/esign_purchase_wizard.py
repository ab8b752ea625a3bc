from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize


class EsignPurchaseWizard(models.TransientModel):
    """電子契約を送信: one envelope per purchase order, filled in from the order.

    For one order the officer sees and adjusts everything, and may open the
    draft to place fields; for many orders (bulk, from the list) the same
    choices apply to all and the envelopes are queued for sending.
    """
    _name = 'esign.purchase.wizard'
    _description = 'Send purchase orders for e-signature'

    purchase_order_ids = fields.Many2many('purchase.order', string='Purchase orders', required=True)
    order_count = fields.Integer(compute='_compute_order_count')
    template_id = fields.Many2one('esign.template', string='Template',
                                  help='Its documents and fields are added to every envelope.')
    include_order_report = fields.Boolean(string="Include the order's PDF", default=True)
    attachment_ids = fields.Many2many('ir.attachment', string='Attachments of the order',
                                      compute='_compute_single_order_defaults', store=True, readonly=False,
                                      help='PDF files attached to the order that the signers also sign.')
    # Keep by default: the order's files stay where the purchasing staff (who may have no e-contract
    # rights) look for them, and a declined or cancelled envelope leaves the order as it was.
    # Move: the envelope removes them when it is sent (immediately, later from the draft, or by the
    # queue), never before, so that a draft deleted or cancelled leaves the order as it was.
    order_attachments = fields.Selection(
        [('keep', 'Keep them on the order'), ('move', 'Move them into the envelope')],
        string="When the envelope is sent, the order's files", required=True, default='keep',
        help='Move: when the envelope is sent, the PDF files of the order that it still holds are removed from '
             'the order (the envelope keeps them encrypted), so that no copy in clear is left; the order\'s '
             'chatter says where they went. A draft deleted or cancelled before sending leaves them on the order.')
    vendor_contact_id = fields.Many2one('res.partner', string="Vendor's signer",
                                        compute='_compute_single_order_defaults', store=True, readonly=False)
    approver_id = fields.Many2one('res.users', string='Approver', domain=[('share', '=', False)],
                                  default=lambda self: self._default_approver(),
                                  help='The municipality official who signs after the vendor.')
    signing_mode = fields.Selection([('sequential', 'In order'), ('parallel', 'In parallel')],
                                    string='Signing order', required=True, default='sequential')
    expiry_date = fields.Date(string='Expiry date', required=True,
                              default=lambda self: self.env['esign.envelope']._default_expiry_date())
    contract_type_id = fields.Many2one('esign.contract.type', string='Contract type',
                                       compute='_compute_contract_type', store=True, readonly=False)
    department = fields.Char(string='Department')
    signer_message = fields.Text(string='Message to the signers')

    @api.model
    def _default_approver(self):
        user_id = self.env['ir.config_parameter'].sudo().get_param('esign_municipal.default_approver_id')
        return self.env['res.users'].browse(int(user_id)).exists() if user_id else False

    @api.depends('purchase_order_ids')
    def _compute_order_count(self):
        for wizard in self:
            wizard.order_count = len(wizard.purchase_order_ids)

    @api.depends('purchase_order_ids')
    def _compute_single_order_defaults(self):
        for wizard in self:
            order = wizard.purchase_order_ids if len(wizard.purchase_order_ids) == 1 else None
            wizard.vendor_contact_id = order and order._esign_vendor_contact()
            wizard.attachment_ids = order and order._esign_pdf_attachments()

    @api.depends('template_id')
    def _compute_contract_type(self):
        for wizard in self:
            wizard.contract_type_id = wizard.template_id.contract_type_id or wizard.contract_type_id

    # -- checks ---------------------------------------------------------------

    def _check(self):
        self.ensure_one()
        _ = self.env._
        if not self.purchase_order_ids:
            raise UserError(_('Select at least one purchase order.'))
        problems = []
        if not self.approver_id:
            problems.append(_('Choose the approver who signs for the municipality.'))
        elif not email_normalize(self.approver_id.email or ''):
            problems.append(_('The approver %s has no email address.', self.approver_id.name))
        if not self.include_order_report and not self.template_id and not self.attachment_ids:
            problems.append(_("Choose at least one document: the order's PDF, its attachments or a template."))
        for order in self.purchase_order_ids:
            contact = self.vendor_contact_id if len(self.purchase_order_ids) == 1 else order._esign_vendor_contact()
            if not contact:
                problems.append(_('%s: choose who signs for the vendor.', order.name))
            elif not email_normalize(contact.email or ''):
                problems.append(_('%(order)s: the vendor contact %(contact)s has no email address.',
                                  order=order.name, contact=contact.name))
            if order.state == 'cancel':
                problems.append(_('%s is cancelled.', order.name))
        if problems:
            raise UserError(_('The envelopes cannot be prepared:') + '\n- ' + '\n- '.join(problems))

    # -- building ---------------------------------------------------------------

    def _envelope_values(self, order):
        title = f'{order.name} {self.template_id.name}' if self.template_id else \
            self.env._('Purchase order %s', order.name)
        return {
            'name': title,
            'company_id': order.company_id.id,
            'signing_mode': self.signing_mode,
            'expiry_date': self.expiry_date,
            'signer_message': self.signer_message or self.template_id.signer_message,
            'transaction_date': fields.Date.context_today(self, order.date_approve or order.date_order),
            'amount': order.amount_total,
            'currency_id': order.currency_id.id,
            'partner_id': order.partner_id.commercial_partner_id.id,
            'contract_type_id': self.contract_type_id.id,
            'department': self.department,
            'purchase_order_id': order.id,
            'queue_order_report': self.include_order_report,
        }

    def _build_envelopes(self):
        """Draft envelopes with signers, template documents and order attachments;
        the order's own PDF is rendered when the envelope is sent."""
        self.ensure_one()
        orders = self.purchase_order_ids
        single = len(orders) == 1
        envelopes = self.env['esign.envelope'].create([self._envelope_values(order) for order in orders])
        signer_values = []
        for order, envelope in zip(orders, envelopes):
            contact = self.vendor_contact_id if single else order._esign_vendor_contact()
            signer_values += [
                {'envelope_id': envelope.id, 'partner_id': contact.id, 'role': 'contractor', 'signing_order': 1},
                {'envelope_id': envelope.id, 'partner_id': self.approver_id.partner_id.id,
                 'role': 'municipality', 'signing_order': 2},
            ]
        signers = self.env['esign.signer'].create(signer_values)
        for order, envelope in zip(orders, envelopes):
            attachments = self.attachment_ids if single else order._esign_pdf_attachments()
            for position, attachment in enumerate(attachments, start=2):
                document = self.env['esign.document'].create({
                    'envelope_id': envelope.id, 'name': attachment.name.removesuffix('.pdf'),
                    'filename': attachment.name, 'sequence': position * 10, 'source': 'order_attachment',
                })
                document._esign_set_original(attachment.raw)
            if self.order_attachments == 'move':
                self._esign_mark_order_attachments_to_move(order, envelope, attachments)
            if self.template_id:
                mine = signers.filtered(lambda s: s.envelope_id == envelope)
                self.template_id._esign_apply_to(envelope, self._signers_by_role(mine))
        # Files uploaded in this wizard (not the order's own attachments) are now
        # encrypted in the envelope's documents: no copy in clear stays behind.
        self.attachment_ids.filtered(lambda a: a.res_model == self._name and a.res_id in (0, self.id)
                                     and a.create_uid == self.env.user).sudo().unlink()
        return envelopes

    def _esign_mark_order_attachments_to_move(self, order, envelope, attachments):
        """The order's own PDF files in the envelope leave the order when the
        envelope is sent (esign.envelope._esign_remove_moved_order_attachments).

        The user chooses it, so the user must be allowed to remove them now;
        the list is the flow's (the client cannot set it), written as superuser.
        """
        moved = attachments.filtered(lambda a: a.res_model == order._name and a.res_id == order.id)
        if not moved:
            return
        moved.check_access('unlink')
        moved.check('unlink')
        envelope._esign_write({'move_order_attachment_ids': [Command.set(moved.ids)]})

    def _signers_by_role(self, signers):
        """The k-th contractor role gets the contractor, the municipality role the approver."""
        by_kind = {kind: list(signers.filtered(lambda s: s.role == kind)) for kind in ('contractor', 'municipality')}
        mapping = {}
        for role in self.template_id.role_ids:
            if by_kind[role.role]:
                mapping[role] = by_kind[role.role][0]
        return mapping

    # -- buttons ------------------------------------------------------------------

    def action_create_draft(self):
        """One order: the draft envelope opens, to place fields before sending."""
        self._check()
        envelopes = self._build_envelopes()
        envelopes._esign_add_order_documents()
        return envelopes._esign_open_action()

    def action_send(self):
        """One order: send now. Many orders: queue them; a job sends them in batches."""
        self._check()
        envelopes = self._build_envelopes()
        if len(envelopes) == 1:
            envelopes._esign_add_order_documents()
            envelopes.action_send()
            return envelopes._esign_open_action()
        envelopes._esign_queue_for_sending()
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'type': 'success',
                'title': self.env._('Envelopes queued'),
                'message': self.env._('%s envelopes are being sent in the background.', len(envelopes)),
                'next': {'type': 'ir.actions.act_window_close'},
            },
        }
