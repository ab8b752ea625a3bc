import base64

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import EsignCase, make_pdf


@tagged('post_install', '-at_install')
class TestEnvelopeActions(EsignCase):
    """Cancel with a reason, decline, duplicate, resend, templates."""

    def test_cancel_tells_the_signers_why_and_kills_their_links(self):
        envelope = self.create_envelope(documents={'Contract': 1})
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        envelope.with_user(self.officer).action_send()
        _id, token = self.link_token(self.mails_to(contractor)[0])
        wizard = self.env['esign.cancel.wizard'].with_user(self.officer).create(
            {'envelope_id': envelope.id, 'reason': 'The amount was wrong; a corrected envelope follows.'})
        wizard.action_confirm()
        self.assertEqual(envelope.state, 'cancelled')
        notice = self.mails_to(contractor)[-1]
        self.assertEqual(notice.subject, '[デモ市] Outsourcing contract was cancelled')
        self.assertIn('The amount was wrong', notice.body_html)
        self.assertFalse(self.mails_to(approver), 'a signer never asked is not bothered')
        self.assertFalse(self.find_by_token(contractor.id, token))
        self.assertEqual(self.env['esign.signer']._esign_resolve_token(contractor.id, token), (contractor, 'revoked'))
        self.assertIn('The amount was wrong', envelope.message_ids[0].body)
        with self.assertRaisesRegex(UserError, 'can no longer be cancelled'):
            envelope.with_user(self.officer)._esign_cancel('again')
        with self.assertRaisesRegex(UserError, 'Enter the reason'):
            self.create_envelope().with_user(self.officer)._esign_cancel('')

    def test_decline_stops_the_envelope_and_tells_the_others(self):
        envelope = self.create_envelope(documents={'Contract': 1}, mode='parallel')
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        envelope.with_user(self.officer).action_send()
        contractor._esign_decline('The delivery date is impossible.', {'ip': '203.0.113.9'})
        self.assertEqual((envelope.state, contractor.state), ('declined', 'declined'))
        self.assertEqual(contractor.decline_reason, 'The delivery date is impossible.')
        notice = self.mails_to(approver)[-1]
        self.assertEqual(notice.subject, '[デモ市] Outsourcing contract was declined')
        self.assertIn('The delivery date is impossible.', notice.body_html)
        self.assertIn('Taro Yamada', notice.body_html)
        # The sender hears it in the chatter (as a message that notifies them).
        message = envelope.message_ids[0]
        self.assertIn('The delivery date is impossible.', message.body)
        self.assertIn(self.officer.partner_id, message.partner_ids)
        with self.assertRaisesRegex(UserError, 'declined'):
            approver._complete_signing({}, {})

    def test_internal_approver_declines_from_the_back_office(self):
        envelope = self.create_envelope(documents={'Contract': 1}, mode='parallel')
        envelope.with_user(self.officer).action_send()
        approver_signer = envelope.signer_ids.filtered(lambda s: s.user_id == self.approver)
        action = envelope.with_user(self.approver).action_decline_as_me()
        wizard = self.env[action['res_model']].with_user(self.approver).with_context(action['context']).create(
            {'reason': 'Budget not approved.'})
        wizard.action_confirm()
        self.assertEqual(approver_signer.state, 'declined')
        self.assertEqual(approver_signer.auth_method, False)
        with self.assertRaisesRegex(UserError, 'no signature to give'):
            envelope.with_user(self.officer).action_sign_as_me()

    def test_only_the_signer_signs_from_the_back_office(self):
        envelope = self.create_envelope(documents={'Contract': 1}, mode='parallel')
        envelope.with_user(self.officer).action_send()
        approver_signer = envelope.signer_ids.filtered(lambda s: s.user_id == self.approver)
        with self.assertRaisesRegex(UserError, 'Only the signer'):
            self.env['esign.approve.wizard'].with_user(self.officer).create(
                {'signer_id': approver_signer.id, 'confirmed': True})
        wizard = self.env['esign.approve.wizard'].with_user(self.approver).create({'signer_id': approver_signer.id})
        with self.assertRaisesRegex(UserError, 'Tick the confirmation'):
            wizard.action_sign()
        self.assertEqual(approver_signer.state, 'invited')

    def test_duplicate_copies_content_not_signatures(self):
        envelope = self.create_envelope(documents={'Contract': 2, 'Cover letter': 1})
        envelope.with_user(self.officer).action_send()
        contractor = envelope.signer_ids.sorted('signing_order')[0]
        contractor._complete_signing({}, {})
        copy = envelope.with_user(self.officer).copy()
        self.assertEqual(copy.state, 'draft')
        self.assertNotEqual(copy.number, envelope.number)
        self.assertEqual(copy.name, 'Outsourcing contract (copy)')
        self.assertEqual(copy.document_ids.mapped('name'), envelope.document_ids.mapped('name'))
        self.assertEqual(copy.document_ids.mapped('page_count'), [2, 1])
        self.assertEqual(copy.signer_ids.mapped('partner_id'), envelope.signer_ids.mapped('partner_id'))
        self.assertEqual(set(copy.signer_ids.mapped('state')), {'waiting'})
        self.assertEqual(len(copy.field_ids), len(envelope.field_ids))
        self.assertEqual(copy.field_ids.signer_id, copy.signer_ids, 'fields point at the new signers')
        for original, duplicate in zip(envelope.document_ids, copy.document_ids):
            self.assertEqual(duplicate._read_pdf('original'), original._read_pdf('original'))
            self.assertFalse(duplicate.sudo().current_blob_id)
        copy.with_user(self.officer).action_send()
        self.assertEqual(copy.state, 'sent')

    def test_resend_gives_a_new_link_and_keeps_the_old_one(self):
        envelope = self.create_envelope(documents={'Contract': 1})
        envelope.with_user(self.officer).action_send()
        contractor = envelope.signer_ids.sorted('signing_order')[0]
        contractor.with_user(self.officer).action_resend_invitation()
        first, second = self.mails_to(contractor)
        self.assertEqual(first.subject, second.subject)
        self.assertNotEqual(self.link_token(first), self.link_token(second))
        for mail in (first, second):
            self.assertEqual(self.find_by_token(*self.link_token(mail)), contractor)

    def test_start_from_a_template(self):
        manager = self.env.ref('base.user_admin')
        template = self.env['esign.template'].with_user(manager).create({
            'name': 'Standard outsourcing contract',
            'contract_type_id': self.env.ref('esign_municipal.contract_type_outsourcing').id,
            'signing_mode': 'parallel',
            'role_ids': [(0, 0, {'name': 'Contractor', 'role': 'contractor', 'signing_order': 1}),
                         (0, 0, {'name': 'Approver', 'role': 'municipality', 'signing_order': 2})],
        })
        document = self.env['esign.template.document'].with_user(manager).create({
            'template_id': template.id, 'name': '業務委託契約書',
            'pdf_file': base64.b64encode(make_pdf('Outsourcing', 2))})
        self.assertEqual(document.page_count, 2)
        contractor_role, approver_role = template.role_ids.sorted('signing_order')
        self.env['esign.template.field'].with_user(manager).create([
            {'document_id': document.id, 'role_id': contractor_role.id, 'field_type': 'signature', 'page': 2},
            {'document_id': document.id, 'role_id': contractor_role.id, 'field_type': 'text', 'page': 1,
             'label': 'Company name', 'x1': 72, 'y1': 600, 'x2': 300, 'y2': 620},
            {'document_id': document.id, 'role_id': approver_role.id, 'field_type': 'signature', 'page': 2},
        ])
        envelope = self.env['esign.envelope'].with_user(self.officer).create({'name': 'From template'})
        action = envelope.with_user(self.officer).action_apply_template()
        wizard = self.env[action['res_model']].with_user(self.officer).with_context(action['context']).create(
            {'template_id': template.id})
        wizard.line_ids[0].partner_id = self.contractor
        wizard.line_ids[1].partner_id = self.approver.partner_id
        wizard.action_apply()
        self.assertEqual(envelope.signing_mode, 'parallel')
        self.assertEqual(envelope.contract_type_id, template.contract_type_id)
        self.assertEqual(envelope.document_ids.name, '業務委託契約書')
        self.assertEqual(len(envelope.field_ids), 3)
        text = envelope.field_ids.filtered(lambda f: f.field_type == 'text')
        self.assertEqual((text.signer_id.partner_id, text.label, text.x1, text.y2),
                         (self.contractor, 'Company name', 72, 620))
        envelope.with_user(self.officer).action_send()
        self.assertEqual(set(envelope.signer_ids.mapped('state')), {'invited'})
