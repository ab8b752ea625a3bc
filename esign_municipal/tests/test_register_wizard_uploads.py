import base64
import json

from odoo import Command, http
from odoo.tests import HttpCase, tagged

from .archive_common import ArchiveCase
from .common import make_pdf
from .rpc_common import RpcAttackMixin

WIZARD = 'esign.contract.register.wizard'
VALUES = {'name': 'Road maintenance 2026', 'transaction_date': '2026-03-15', 'amount': 880000}


@tagged('post_install', '-at_install')
class TestRegisterWizardUploads(RpcAttackMixin, HttpCase, ArchiveCase):
    """The registration wizard reads and deletes the files of its dialog as
    superuser: only the PDFs the user uploaded in it, never another file
    whose id the client sends."""

    def upload(self, name, data):
        """A PDF uploaded the way the dialog's upload widget does it."""
        response = self.url_open('/web/binary/upload_attachment', data={
            'model': WIZARD, 'id': '0', 'csrf_token': http.Request.csrf_token(self)},
            files={'ufile': (name, data, 'application/pdf')})
        self.assertEqual(response.status_code, 200, response.text[:300])
        return json.loads(response.text)[0]['id']

    def test_files_of_others_are_neither_registered_nor_deleted(self):
        # The manager's upload in their own dialog, not registered yet; a PDF on
        # a contact, which the officer may read but does not own.
        pending = self.env['ir.attachment'].with_user(self.manager).create({
            'name': 'manager-contract.pdf', 'raw': make_pdf('Manager contract'), 'res_model': WIZARD, 'res_id': 0})
        on_contact = self.env['ir.attachment'].sudo().create({
            'name': 'vendor-certificate.pdf', 'raw': make_pdf('Certificate'), 'res_model': 'res.partner',
            'res_id': self.vendor.id})
        contracts = self.env['esign.contract'].sudo().search_count([])
        self.authenticate('esign_officer', 'esign_officer')
        for victim in (pending, on_contact):
            with self.subTest(file=victim.name):
                wizard_id, error = self.call_kw(WIZARD, 'create', [dict(VALUES, attachment_ids=[
                    Command.set(victim.ids)])])
                self.assertIsNone(error)
                self.assert_rpc_refused(WIZARD, 'action_register', [[wizard_id]],
                                        errors=('odoo.exceptions.UserError',),
                                        message='Only the PDF files uploaded in this dialog')
                self.assertTrue(victim.exists())
                self.assertEqual(victim.sudo().raw[:5], b'%PDF-')
        # Mixed with an upload of their own, still refused, and nothing is deleted.
        own = self.upload('mine.pdf', make_pdf('Mine'))
        wizard_id, _error = self.call_kw(WIZARD, 'create', [dict(VALUES, attachment_ids=[
            Command.set([own, pending.id])])])
        self.assert_rpc_refused(WIZARD, 'action_register', [[wizard_id]], errors=('odoo.exceptions.UserError',))
        self.assertTrue(pending.exists() and self.env['ir.attachment'].browse(own).exists())
        self.assertEqual(self.env['esign.contract'].sudo().search_count([]), contracts)

    def test_own_uploads_are_registered_then_removed(self):
        self.authenticate('esign_officer', 'esign_officer')
        own = self.upload('paper-contract.pdf', make_pdf('Paper contract'))
        wizard_id, error = self.call_kw(WIZARD, 'create', [dict(VALUES, attachment_ids=[Command.set([own])])])
        self.assertIsNone(error)
        action, error = self.call_kw(WIZARD, 'action_register', [[wizard_id]])
        self.assertIsNone(error, error)
        contract = self.env['esign.contract'].browse(action['res_id'])
        self.assertEqual(contract.document_ids.name, 'paper-contract.pdf')
        self.assertFalse(self.env['ir.attachment'].browse(own).exists())


@tagged('post_install', '-at_install')
class TestPurchaseWizardUploads(RpcAttackMixin, HttpCase, ArchiveCase):
    """Sending from a purchase order removes the files uploaded in its dialog:
    only the user's own, not another user's upload named by id."""

    def test_another_users_upload_is_not_read_nor_deleted(self):
        self.officer.groups_id = [Command.link(self.env.ref('purchase.group_purchase_user').id)]
        self.manager.groups_id = [Command.link(self.env.ref('purchase.group_purchase_user').id)]
        product = self.env['product.product'].create({'name': 'Service', 'type': 'service', 'purchase_ok': True})
        order = self.env['purchase.order'].with_user(self.officer).create({
            'partner_id': self.vendor.id,
            'order_line': [Command.create({'product_id': product.id, 'product_qty': 1, 'price_unit': 1000,
                                           'taxes_id': [Command.clear()]})]})
        order.button_confirm()
        # The manager's upload in their own (saved) dialog.
        action = order.with_user(self.manager).action_esign_send()
        theirs = self.env[action['res_model']].with_user(self.manager).with_context(action['context']).create(
            {'approver_id': self.approver.id, 'include_order_report': False})
        upload = self.env['ir.attachment'].with_user(self.manager).create({
            'name': 'annex.pdf', 'raw': make_pdf('Annex'), 'res_model': 'esign.purchase.wizard',
            'res_id': theirs.id})
        self.authenticate('esign_officer', 'esign_officer')
        wizard_id, error = self.call_kw('esign.purchase.wizard', 'create', [{
            'purchase_order_ids': [Command.set(order.ids)], 'approver_id': self.approver.id,
            'vendor_contact_id': self.contractor.id, 'include_order_report': False,
            'attachment_ids': [Command.set(upload.ids)]}])
        self.assertIsNone(error)
        self.assert_rpc_refused('esign.purchase.wizard', 'action_create_draft', [[wizard_id]],
                                errors=('odoo.exceptions.AccessError',))
        self.assertTrue(upload.exists())
        self.assertFalse(self.env['esign.document'].sudo().search([('name', '=', 'annex')]))
