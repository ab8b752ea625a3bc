import base64

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged
from odoo.tests.common import new_test_user

from .common import (EsignCase, assert_nowhere_in_clear, assert_text_as_shown, distinctive_runs, make_pdf, marked_pdf, pdf_field_names,
                     places_in_clear)


class PurchaseCase(EsignCase):
    """A purchasing officer, a product in yen and a template with a signature and a text field."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer.groups_id = [Command.link(cls.env.ref('purchase.group_purchase_user').id)]
        # wkhtmltopdf would fetch the report's CSS from this very process, whose
        # HTTP thread then waits for the test transaction (it holds the new asset
        # bundle): a closed local port makes it render without CSS at once.
        cls.env['ir.config_parameter'].sudo().set_param('report.url', 'http://127.0.0.1:9')
        cls.product = cls.env['product.product'].create({'name': 'Outsourcing service', 'type': 'service',
                                                         'purchase_ok': True})
        cls.yen = cls.env.ref('base.JPY')
        cls.yen.active = True
        cls.template = cls.env['esign.template'].create({
            'name': 'NDA',
            'role_ids': [Command.create({'name': 'Contractor', 'role': 'contractor', 'signing_order': 1})],
        })
        template_document = cls.env['esign.template.document'].create({
            'template_id': cls.template.id, 'name': '機密保持契約書', 'pdf_file': base64.b64encode(make_pdf('NDA'))})
        cls.env['esign.template.field'].create([
            {'document_id': template_document.id, 'role_id': cls.template.role_ids.id, 'field_type': 'signature',
             'page': 1},
            {'document_id': template_document.id, 'role_id': cls.template.role_ids.id, 'field_type': 'text',
             'page': 1, 'label': 'Representative', 'required': False, 'x1': 72, 'y1': 90, 'x2': 300, 'y2': 110},
        ])

    def make_order(self, vendor=None, amount=1_100_000):
        order = self.env['purchase.order'].with_user(self.officer).create({
            'partner_id': (vendor or self.vendor).id,
            'currency_id': self.yen.id,
            'order_line': [Command.create({'product_id': self.product.id, 'product_qty': 1, 'price_unit': amount,
                                           'taxes_id': [Command.clear()]})],
        })
        order.button_confirm()
        return order

    def wizard_for(self, orders, **values):
        action = orders.with_user(self.officer).action_esign_send()
        return self.env[action['res_model']].with_user(self.officer).with_context(action['context']).create(
            dict({'approver_id': self.approver.id}, **values))

    def signed_links(self, order):
        return self.env['ir.attachment'].search([('res_model', '=', 'purchase.order'), ('res_id', '=', order.id),
                                                 ('name', 'like', '(signed)')], order='id')


@tagged('post_install', '-at_install')
class TestPurchaseIntegration(PurchaseCase):
    """電子契約を送信 from a purchase order: the order's own PDF (wkhtmltopdf), its
    attachments and a template's documents; links to the signed PDFs come back to the order."""

    def test_one_order_sent_signed_and_returned_to_the_order(self):
        order = self.make_order()
        self.env['ir.attachment'].create({'name': 'Specification.pdf', 'raw': make_pdf('Specification', 2),
                                          'res_model': 'purchase.order', 'res_id': order.id,
                                          'mimetype': 'application/pdf'})
        wizard = self.wizard_for(order, template_id=self.template.id)
        # Filled in from the order.
        self.assertEqual(wizard.vendor_contact_id, self.contractor)
        self.assertEqual(wizard.attachment_ids.mapped('name'), ['Specification.pdf'])
        self.assertEqual(wizard.order_attachments, 'keep', 'the order keeps its files unless asked')
        action = wizard.action_send()
        envelope = self.env['esign.envelope'].browse(action['res_id'])

        self.assertEqual(envelope.state, 'sent')
        self.assertEqual(envelope.purchase_order_id, order)
        self.assertEqual((envelope.amount, envelope.currency_id, envelope.partner_id),
                         (order.amount_total, self.yen, self.vendor))
        self.assertEqual(envelope.transaction_date, order.date_approve.date())
        documents = envelope.document_ids.sorted()
        self.assertEqual(documents.mapped('name'),
                         [f'Purchase order {order.name}', 'Specification', '機密保持契約書'])
        report = documents[0]
        self.assertGreaterEqual(report.page_count, 1)
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        self.assertEqual((contractor.partner_id, contractor.role), (self.contractor, 'contractor'))
        self.assertEqual((approver.user_id, approver.role), (self.approver, 'municipality'))
        # Everyone signs every order document; the template decides its own.
        for document in documents[:2]:
            self.assertEqual(pdf_field_names(document._read_pdf('current')), {
                f'FIELD_{envelope.number}_{contractor.id}', f'FIELD_{envelope.number}_{approver.id}'})
        self.assertEqual(len(pdf_field_names(documents[2]._read_pdf('current'))), 2)
        self.assertEqual(order.with_user(self.officer).esign_envelope_count, 1)
        self.assertEqual(order.with_user(self.officer).esign_state, 'sent')
        smart = order.with_user(self.officer).action_view_esign_envelopes()
        self.assertEqual(smart['res_id'], envelope.id)

        contractor._complete_signing({}, {})
        approver._complete_signing({}, {})
        self.assertEqual(envelope.state, 'completed')
        self.assertEqual(order.with_user(self.officer).esign_state, 'completed')
        # The order links to its signed documents (the vault keeps the only copy).
        signed = self.signed_links(order)
        self.assertEqual(signed.mapped('name'), [document._esign_file_name('current') for document in documents])
        self.assertIn('Specification (signed).pdf', signed.mapped('name'))
        self.assertEqual(set(signed.mapped('type')), {'url'})
        self.assertEqual(set(signed.mapped('mimetype')), {'application/pdf'})
        self.assertEqual(signed.mapped('url'), [f'/esign/document/{document.id}/current' for document in documents])
        self.assertFalse(any(signed.mapped('raw')))
        for document in documents:
            data = document._read_pdf('current')
            self.assertTrue(self.assert_signed(data, pdf_field_names(data) & {
                f'FIELD_{envelope.number}_{contractor.id}', f'FIELD_{envelope.number}_{approver.id}'},
                doc_timestamps=1))
        self.assertIn(envelope.number, order.message_ids[0].body)
        self.assertEqual(order.message_ids[0].attachment_ids, signed)
        # A second envelope from the same order does not take the links for attachments of the order.
        self.assertEqual(order._esign_pdf_attachments().mapped('name'), ['Specification.pdf'])

    def test_order_pdf_text_is_the_text_shown(self):
        """The order's own PDF, signed as the contract, gives its Japanese text as shown to copy,
        search and screen readers (文書, not the radical ⽂)."""
        self.product.name = '文書管理システム 長期保守'
        self.vendor.name = '株式会社日本文書'
        order = self.make_order()
        envelope = self.env['esign.envelope'].browse(self.wizard_for(order).action_send()['res_id'])
        order_pdf = envelope.document_ids.sorted()[0]._read_pdf('current')
        assert_text_as_shown(self, order_pdf, ['文書管理システム', '長期保守', '株式会社日本文書'])

    def test_order_attachments_moved_into_the_envelope_leave_no_copy_in_clear(self):
        order = self.make_order()
        specification, marker = marked_pdf('SPECIFICATION')
        attachment = self.env['ir.attachment'].with_user(self.officer).create({
            'name': 'Specification.pdf', 'raw': specification, 'mimetype': 'application/pdf',
            'res_model': 'purchase.order', 'res_id': order.id})
        self.assertTrue(places_in_clear(self.env, [marker]), 'the search finds the file while the order has it')
        wizard = self.wizard_for(order, order_attachments='move')
        envelope = self.env['esign.envelope'].browse(wizard.action_send()['res_id'])
        self.assertEqual(envelope.state, 'sent')
        document = envelope.document_ids.filtered(lambda d: d.source == 'order_attachment')
        self.assertEqual(document._read_pdf('original'), specification, 'the envelope holds the file, encrypted')
        self.assertFalse(attachment.exists())
        self.assertFalse(order._esign_pdf_attachments())
        # The order's chatter says where the file went, with a link to the envelope.
        note = order.message_ids[0].body
        self.assertIn('Specification.pdf', note)
        self.assertIn(f'data-oe-model="esign.envelope" data-oe-id="{envelope.id}"', note)
        # Nothing in clear in the database; the filestore once Odoo has collected the deleted
        # file (the wizard asks for that right after its transaction commits).
        self.env['ir.attachment']._gc_file_store_unsafe()
        assert_nowhere_in_clear(self, [marker], 'the moved attachment')

    def test_files_uploaded_in_the_wizard_do_not_stay_in_clear(self):
        order = self.make_order()
        wizard = self.wizard_for(order)
        upload = self.env['ir.attachment'].with_user(self.officer).create({
            'name': 'Annex.pdf', 'raw': make_pdf('Annex'), 'mimetype': 'application/pdf',
            'res_model': wizard._name, 'res_id': wizard.id})
        wizard.attachment_ids = [Command.link(upload.id)]
        envelope = self.env['esign.envelope'].browse(wizard.action_create_draft()['res_id'])
        self.assertIn('Annex', envelope.document_ids.mapped('name'))
        self.assertFalse(upload.exists(), 'the envelope keeps the only copy, encrypted')
        # Uploads of wizards left unfinished go after a day.
        Attachment = self.env['ir.attachment']
        stale = Attachment.create([{'name': 'Old.pdf', 'raw': make_pdf('Old'), 'res_model': model, 'res_id': 0}
                                   for model in ('esign.purchase.wizard', 'esign.contract.register.wizard')])
        fresh = Attachment.create({'name': 'New.pdf', 'raw': make_pdf('New'), 'res_model': 'esign.purchase.wizard',
                                   'res_id': 0})
        kept = Attachment.create({'name': 'Old order file.pdf', 'raw': make_pdf('Kept'),
                                  'res_model': 'purchase.order', 'res_id': order.id})
        self.env.flush_all()
        self.env.cr.execute("UPDATE ir_attachment SET create_date = now() - interval '2 days' WHERE id = ANY(%s)",
                            [(stale | kept).ids])
        Attachment.invalidate_model(['create_date'])
        Attachment._gc_esign_wizard_uploads()
        self.assertFalse(stale.exists())
        self.assertEqual((fresh | kept).exists(), fresh | kept)

    def test_default_approver_from_settings(self):
        self.env['res.config.settings'].create({'esign_default_approver_id': self.approver.id}).execute()
        action = self.make_order().with_user(self.officer).action_esign_send()
        wizard = Form(self.env[action['res_model']].with_user(self.officer).with_context(action['context']))
        self.assertEqual(wizard.approver_id, self.approver)
        self.assertEqual(wizard.vendor_contact_id, self.contractor)

    def test_draft_to_place_fields(self):
        order = self.make_order()
        action = self.wizard_for(order).action_create_draft()
        envelope = self.env['esign.envelope'].browse(action['res_id'])
        self.assertEqual(envelope.state, 'draft')
        self.assertEqual(envelope.document_ids.source, 'order_report')
        self.assertEqual(len(envelope.field_ids), 2, 'each signer has an invisible signature on the order')

    def test_bulk_queue_sends_every_order(self):
        orders = self.env['purchase.order']
        for amount in (100_000, 200_000, 300_000):
            orders |= self.make_order(amount=amount)
        wizard = self.wizard_for(orders)
        self.assertFalse(wizard.vendor_contact_id, 'each order uses its own vendor contact')
        result = wizard.action_send()
        self.assertEqual(result['tag'], 'display_notification')
        envelopes = orders.with_user(self.officer).esign_envelope_ids
        self.assertEqual(len(envelopes), 3)
        self.assertEqual(set(envelopes.mapped('state')), {'draft'})
        self.assertTrue(all(envelopes.mapped('send_queued')))
        remaining = self.env['esign.envelope']._cron_send_queued(batch_size=2)
        self.assertEqual(remaining, 1)
        self.assertEqual(sorted(envelopes.mapped('state')), ['draft', 'sent', 'sent'])
        self.env['esign.envelope']._cron_send_queued(batch_size=2)
        self.assertEqual(set(envelopes.mapped('state')), {'sent'})
        for envelope in envelopes:
            self.assertEqual(envelope.amount, envelope.purchase_order_id.amount_total)
            self.assertEqual(envelope.document_ids.source, 'order_report')
            self.assertEqual(len(self.mails_to(envelope.signer_ids.sorted('signing_order')[0])), 1)
            # Sent on behalf of the officer who queued it.
            self.assertEqual(envelope.message_ids.filtered(lambda m: 'Envelope sent.' in m.body).author_id,
                             self.officer.partner_id)

    def test_bulk_refuses_orders_it_cannot_send(self):
        nobody = self.env['res.partner'].create({'name': 'Vendor Without Mail', 'is_company': True})
        orders = self.make_order() | self.make_order(vendor=nobody)
        wizard = self.wizard_for(orders)
        with self.assertRaises(UserError) as caught:
            wizard.action_send()
        self.assertIn('Vendor Without Mail has no email address', caught.exception.args[0])
        self.assertFalse(self.env['esign.envelope'].search([('purchase_order_id', 'in', orders.ids)]))
        wizard = self.wizard_for(orders[0], approver_id=False)
        with self.assertRaises(UserError) as caught:
            wizard.action_send()
        self.assertIn('Choose the approver', caught.exception.args[0])

    def test_queued_envelope_that_fails_stays_draft_and_tells_the_sender(self):
        order = self.make_order()
        orders = order | self.make_order()
        self.wizard_for(orders).action_send()
        broken = order.with_user(self.officer).esign_envelope_ids
        # The contact's address was removed after queuing.
        broken.signer_ids.filtered(lambda s: s.role == 'contractor').sudo().email = False
        self.env['esign.envelope']._cron_send_queued()
        self.assertEqual(broken.state, 'draft')
        self.assertFalse(broken.send_queued)
        self.assertIn('could not be sent', broken.message_ids[0].body)
        self.assertEqual(broken.activity_ids.user_id, self.officer)
        self.assertEqual((orders - order).esign_envelope_ids.state, 'sent')



@tagged('post_install', '-at_install')
class TestPurchaseMoveOrderFiles(PurchaseCase):
    """"Move them into the envelope": the order's files leave the order when the
    envelope is sent (at once, later from its draft, or by the queue), in the
    sending's transaction; never before, never anything but the envelope's own
    order's files that it still holds."""

    def attach(self, order, label):
        data, _marker = marked_pdf(label)
        return self.env['ir.attachment'].with_user(self.officer).create({
            'name': f'{label}.pdf', 'raw': data, 'mimetype': 'application/pdf',
            'res_model': 'purchase.order', 'res_id': order.id})

    def draft_moving(self, order):
        # Without the order's own PDF: wkhtmltopdf is slow, and these are about the order's files.
        wizard = self.wizard_for(order, order_attachments='move', include_order_report=False)
        return self.env['esign.envelope'].browse(wizard.action_create_draft()['res_id'])

    def move_notes(self, order):
        return order.message_ids.filtered(lambda m: 'Moved into the envelope' in (m.body or ''))

    def test_draft_keeps_the_files_until_it_is_sent(self):
        order = self.make_order()
        specification, annex = self.attach(order, 'Specification'), self.attach(order, 'Annex')
        envelope = self.draft_moving(order)
        self.assertEqual(envelope.state, 'draft')
        self.assertEqual(envelope.sudo().move_order_attachment_ids, specification | annex)
        self.assertEqual((specification | annex).exists(), specification | annex, 'a draft removes nothing')
        self.assertFalse(self.move_notes(order))
        # The officer takes the annex out of the draft: it stays on the order.
        envelope.document_ids.filtered(lambda d: d.name == 'Annex').with_user(self.officer).unlink()
        # Sent later by someone without purchase rights: the removal is the flow's.
        manager = new_test_user(self.env, 'esign_po_manager', groups='esign_municipal.group_esign_manager',
                                email='manager@demo-city.example', name='Manager')
        self.assertFalse(manager.has_group('purchase.group_purchase_user'))
        # The draft's form names the files chosen to move (those it still holds leave the order).
        self.assertEqual(envelope.with_user(manager).move_order_attachment_names, 'Annex.pdf, Specification.pdf')
        envelope.with_user(manager).action_send()
        self.assertEqual(envelope.state, 'sent')
        self.assertFalse(specification.exists())
        self.assertTrue(annex.exists(), 'only the files the envelope still holds leave the order')
        self.assertEqual(order._esign_pdf_attachments(), annex)
        note = self.move_notes(order)
        self.assertEqual(len(note), 1)
        self.assertIn('Specification.pdf', note.body)
        self.assertNotIn('Annex.pdf', note.body)
        self.assertIn(f'data-oe-model="esign.envelope" data-oe-id="{envelope.id}"', note.body)
        self.assertEqual(note.author_id, manager.partner_id)
        self.assertFalse(envelope.sudo().move_order_attachment_ids)

    def test_deleted_or_cancelled_draft_leaves_the_files(self):
        order = self.make_order()
        specification = self.attach(order, 'Specification')
        deleted = self.draft_moving(order)
        document = deleted.document_ids.filtered(lambda d: d.source == 'order_attachment')
        self.assertEqual(document._read_pdf('original'), specification.raw)
        deleted.with_user(self.officer).unlink()
        self.assertTrue(specification.exists())
        cancelled = self.draft_moving(order)
        cancelled.with_user(self.officer)._esign_cancel('Wrong vendor')
        with self.assertRaises(UserError):
            cancelled.with_user(self.officer).action_send()
        self.assertTrue(specification.exists())
        self.assertEqual(order._esign_pdf_attachments(), specification)
        self.assertFalse(self.move_notes(order))

    def test_failed_send_removes_nothing(self):
        order = self.make_order()
        specification = self.attach(order, 'Specification')
        envelope = self.draft_moving(order)
        contractor = envelope.signer_ids.filtered(lambda s: s.role == 'contractor')
        contractor.field_ids.with_user(self.officer).unlink()
        with self.assertRaises(UserError) as caught:
            envelope.with_user(self.officer).action_send()
        self.assertIn('has no signature field', caught.exception.args[0])
        self.assertEqual(envelope.state, 'draft')
        self.assertTrue(specification.exists())
        self.assertFalse(self.move_notes(order))
        # Once the field is back, the send goes through and the file leaves the order.
        envelope._esign_add_default_signature_fields()
        envelope.with_user(self.officer).action_send()
        self.assertFalse(specification.exists())
        self.assertEqual(len(self.move_notes(order)), 1)

    def test_bulk_queue_removes_the_files_once_each_envelope_is_sent(self):
        sent_order, broken_order = self.make_order(), self.make_order()
        sent_file, broken_file = self.attach(sent_order, 'Specification'), self.attach(broken_order, 'Drawings')
        self.wizard_for(sent_order | broken_order, order_attachments='move').action_send()
        envelopes = (sent_order | broken_order).with_user(self.officer).esign_envelope_ids
        self.assertTrue(all(envelopes.mapped('send_queued')))
        self.assertEqual((sent_file | broken_file).exists(), sent_file | broken_file, 'queued is not sent')
        broken = broken_order.with_user(self.officer).esign_envelope_ids
        # The contact's address was removed after queuing: that envelope's send fails.
        broken.signer_ids.filtered(lambda s: s.role == 'contractor').sudo().email = False
        self.env['esign.envelope']._cron_send_queued()
        self.assertEqual(sent_order.esign_envelope_ids.state, 'sent')
        self.assertFalse(sent_file.exists())
        self.assertEqual(len(self.move_notes(sent_order)), 1)
        self.assertEqual(self.move_notes(sent_order).author_id, self.officer.partner_id)
        self.assertEqual(broken.state, 'draft')
        self.assertTrue(broken_file.exists(), 'a failed send removes nothing')
        self.assertFalse(self.move_notes(broken_order))

    def test_client_cannot_name_files_for_the_envelope_to_remove(self):
        """Sending removes files as superuser: the list is the flow's, and sending
        keeps to the envelope's own order's files that it holds, whatever the list says."""
        order, other_order = self.make_order(), self.make_order()
        specification = self.attach(order, 'Specification')
        others = self.attach(other_order, 'Other order') | self.env['ir.attachment'].create({
            'name': 'Partner file.pdf', 'raw': make_pdf('Partner file'), 'res_model': 'res.partner',
            'res_id': self.vendor.id})
        Envelope = self.env['esign.envelope'].with_user(self.officer)
        count = Envelope.sudo().search_count([])
        with self.assertRaises(UserError):
            Envelope.create({'name': 'Forged', 'purchase_order_id': other_order.id,
                             'move_order_attachment_ids': [Command.set(others.ids)]})
        self.assertEqual(Envelope.sudo().search_count([]), count)
        forged = Envelope.with_context(default_move_order_attachment_ids=[Command.set(others.ids)]).create({
            'name': 'Forged', 'purchase_order_id': other_order.id})
        self.assertFalse(forged.sudo().move_order_attachment_ids)
        envelope = self.draft_moving(order)
        for command in ([Command.set(others.ids)], [Command.link(others[0].id)], [Command.clear()]):
            with self.assertRaises(UserError):
                envelope.with_user(self.officer).write({'move_order_attachment_ids': command})
        self.assertEqual(envelope.sudo().move_order_attachment_ids, specification)
        # Were the list to hold other files (another order's, another model's, one of the order's
        # files the envelope does not hold), even with the same content, sending keeps to its own.
        same_content = self.env['ir.attachment'].create([{
            'name': 'Copy.pdf', 'raw': specification.raw, 'res_model': model, 'res_id': res_id,
        } for model, res_id in (('purchase.order', other_order.id), ('res.partner', self.vendor.id))])
        not_held = self.attach(order, 'Not in the envelope')
        envelope.sudo().write({'move_order_attachment_ids': [
            Command.link(attachment.id) for attachment in others | same_content | not_held]})
        envelope.with_user(self.officer).action_send()
        self.assertFalse(specification.exists())
        self.assertEqual((others | same_content | not_held).exists(), others | same_content | not_held)

    def test_wizard_moves_no_file_of_another_order(self):
        """The wizard's attachments are the client's: a file of another order goes into the
        envelope as a document, and stays on its own order."""
        order, other_order = self.make_order(), self.make_order()
        specification, foreign = self.attach(order, 'Specification'), self.attach(other_order, 'Foreign')
        wizard = self.wizard_for(order, order_attachments='move', include_order_report=False)
        wizard.attachment_ids = [Command.set((specification | foreign).ids)]
        envelope = self.env['esign.envelope'].browse(wizard.action_send()['res_id'])
        self.assertEqual(envelope.state, 'sent')
        self.assertIn('Foreign', envelope.document_ids.mapped('name'))
        self.assertFalse(specification.exists())
        self.assertTrue(foreign.exists())
        self.assertFalse(self.move_notes(other_order))

@tagged('post_install', '-at_install')
class TestPurchaseSignedLinks(HttpCase, PurchaseCase):
    """The signed PDFs of an envelope sent from a purchase order: linked on the
    order and its chatter, never copied in clear, opened through the
    back-office route that checks rights, decrypts and logs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['res.lang']._activate_lang('ja_JP')
        # Sees purchase orders, has no e-contract group.
        cls.buyer = new_test_user(cls.env, 'esign_po_buyer', groups='purchase.group_purchase_user',
                                  lang='ja_JP', name='Buyer')
        cls.other_company = cls.env['res.company'].create({'name': 'Other Town'})
        cls.stranger = new_test_user(
            cls.env, 'esign_po_stranger', groups='esign_municipal.group_esign_user,purchase.group_purchase_user',
            company_id=cls.other_company.id, company_ids=[Command.set(cls.other_company.ids)], name='Stranger')

    def complete_from_order(self):
        order = self.make_order()
        envelope = self.env['esign.envelope'].browse(self.wizard_for(order).action_send()['res_id'])
        for signer in envelope.signer_ids.sorted('signing_order'):
            signer._complete_signing({}, {})
        self.assertEqual(envelope.state, 'completed')
        return order, envelope

    def downloads(self, document):
        return self.env['esign.operation.log'].search([('event', '=', 'download'),
                                                       ('document_ref', '=', document.id)])

    def test_no_signed_pdf_in_clear_outside_the_vault(self):
        order, envelope = self.complete_from_order()
        document = envelope.document_ids
        self.assertEqual(len(document), 1)
        signed, original = document._read_pdf('current'), document._read_pdf('original')
        # What signing added to the original: the signatures, their timestamps, the validation data.
        runs = distinctive_runs(signed[len(original):])
        self.assertGreaterEqual(len(runs), 4, 'too few distinctive bytes to look for')
        assert_nowhere_in_clear(self, runs, 'a signed PDF')
        self.assertEqual(self.signed_links(order).type, 'url')

    def test_officer_opens_the_signed_pdf_from_the_order(self):
        order, envelope = self.complete_from_order()
        link = self.signed_links(order)
        document = envelope.document_ids
        # The purchase order's chatter lists the link, as the officer reads it.
        message = order.with_user(self.officer).message_ids[0]
        self.assertIn(envelope.number, message.body)
        self.assertEqual(message.attachment_ids, link)
        self.authenticate(self.officer.login, self.officer.login)
        # The chatter's PDF viewer adds the file name to the link.
        response = self.url_open(f'{link.url}?filename={link.name}')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Content-Type'], 'application/pdf')
        self.assertEqual(response.content, document._read_pdf('current'))
        self.assertEqual(len(self.downloads(document)), 1)
        self.assertEqual(self.downloads(document).user_ref, self.officer.id)

    def test_purchase_user_without_econtract_rights_is_told_what_is_missing(self):
        order, envelope = self.complete_from_order()
        link = self.signed_links(order)
        # They see the order and its link...
        self.assertEqual(order.with_user(self.buyer).message_ids[0].attachment_ids, link)
        self.assertEqual(link.with_user(self.buyer).read(['url'])[0]['url'], link.url)
        # ...but the document is refused, with what they lack, in their language.
        self.authenticate(self.buyer.login, self.buyer.login)
        response = self.url_open(link.url)
        self.assertEqual(response.status_code, 403)
        self.assertIn('電子契約ユーザー', response.text)
        self.assertIn('監査担当', response.text)
        self.assertNotIn('%PDF', response.text)
        # The same answer for a document that does not exist: nothing is given away.
        missing = self.url_open(f'/esign/document/{envelope.document_ids.id + 10_000}/current')
        self.assertEqual((missing.status_code, missing.text), (403, response.text))
        self.assertFalse(self.downloads(envelope.document_ids))

    def test_user_of_another_company_gets_not_found(self):
        order, envelope = self.complete_from_order()
        self.authenticate(self.stranger.login, self.stranger.login)
        response = self.url_open(self.signed_links(order).url)
        self.assertEqual(response.status_code, 404)
        missing = self.url_open(f'/esign/document/{envelope.document_ids.id + 10_000}/current')
        self.assertEqual(missing.status_code, 404)
        self.assertFalse(self.downloads(envelope.document_ids))
