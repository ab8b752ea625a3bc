import base64

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import EsignCase, make_pdf, pdf_field_names


@tagged('post_install', '-at_install')
class TestPurchaseIntegration(EsignCase):
    """電子契約を送信 from a purchase order: the order's own PDF (wkhtmltopdf), its
    attachments and a template's documents; signed PDFs come back to the order."""

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

    def test_one_order_sent_signed_and_returned_to_the_order(self):
        order = self.make_order()
        self.env['ir.attachment'].create({'name': 'Specification.pdf', 'raw': make_pdf('Specification', 2),
                                          'res_model': 'purchase.order', 'res_id': order.id,
                                          'mimetype': 'application/pdf'})
        wizard = self.wizard_for(order, template_id=self.template.id)
        # Filled in from the order.
        self.assertEqual(wizard.vendor_contact_id, self.contractor)
        self.assertEqual(wizard.attachment_ids.mapped('name'), ['Specification.pdf'])
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
        signed = self.env['ir.attachment'].search([('res_model', '=', 'purchase.order'), ('res_id', '=', order.id),
                                                   ('name', 'like', '(signed)')])
        self.assertEqual(len(signed), 3)
        for attachment in signed:
            self.assertTrue(self.assert_signed(attachment.raw, pdf_field_names(attachment.raw) & {
                f'FIELD_{envelope.number}_{contractor.id}', f'FIELD_{envelope.number}_{approver.id}'},
                doc_timestamps=1))
        self.assertIn(envelope.number, order.message_ids[0].body)
        self.assertEqual(order.message_ids[0].attachment_ids, signed)

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
