import io

from pyhanko.pdf_utils.reader import PdfFileReader

from odoo.tests import tagged

from .common import EsignCase, pdf_field_names


@tagged('post_install', '-at_install')
class TestEnvelopeLifecycle(EsignCase):
    """From draft to 締結済み with real signatures, real timestamps and real mail.mail records."""

    def test_signature_leaves_mails_to_the_queue_and_drops_the_replaced_versions(self):
        """Nothing is mailed from the signer's request (the approver's invitation and the notice of
        their to-do wait in the mail queue, which is asked to run at once), and each document keeps
        only its original and its new signed version in the vault."""
        envelope = self.create_envelope()
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        envelope.with_user(self.officer).action_send()
        prepared = envelope.document_ids.sudo().current_blob_id
        self.assertEqual(len(prepared), 2)
        Mail = self.env['mail.mail'].sudo()
        before = Mail.search([]).ids
        cron = self.env.ref('mail.ir_cron_mail_scheduler_action')
        Trigger = self.env['ir.cron.trigger'].sudo()
        triggers = Trigger.search([('cron_id', '=', cron.id)])

        self.assertTrue(contractor._complete_signing({}, {}))
        queued = Mail.search([('id', 'not in', before)])
        invitation = self.mails_to(approver)
        self.assertEqual(len(invitation), 1)
        notices = queued - invitation
        self.assertTrue(notices, 'the approver is told of their to-do')
        self.assertIn(approver.partner_id, notices.recipient_ids)
        self.assertEqual(set(queued.mapped('state')), {'outgoing'})
        self.assertTrue(Trigger.search([('cron_id', '=', cron.id)]) - triggers)

        self.assertFalse(prepared.exists())
        current = envelope.document_ids.sudo().current_blob_id
        self.assertEqual(len(current), 2)
        self.assertFalse(current & envelope.document_ids.sudo().original_blob_id)
        self.assertEqual(self.env['esign.vault.blob'].sudo().search_count(
            [('id', 'in', (current | envelope.document_ids.sudo().original_blob_id).ids)]), 4)
        for document in envelope.document_ids:
            self.assert_signed(document._read_pdf('current'), [f'FIELD_{envelope.number}_{contractor.id}'])

    def test_sequential_envelope_from_send_to_completion(self):
        envelope = self.create_envelope()
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        self.assertEqual(len(envelope.number), 10)
        self.assertTrue(envelope.number.isdigit())

        envelope.with_user(self.officer).action_send()
        self.assertEqual(envelope.state, 'sent')
        self.assertEqual((contractor.state, approver.state), ('invited', 'waiting'))
        # Every field of every signer exists in the PDFs before anyone signs.
        for document in envelope.document_ids:
            self.assertEqual(pdf_field_names(document._read_pdf('current')), {
                f'FIELD_{envelope.number}_{contractor.id}', f'FIELD_{envelope.number}_{approver.id}'})

        # The contractor's invitation: personal link, subject naming the municipality and the envelope.
        invitation = self.mails_to(contractor)
        self.assertEqual(len(invitation), 1)
        self.assertEqual(invitation.subject, '[デモ市] Signature request for Outsourcing contract')
        self.assertEqual(invitation.email_to, '"Taro Yamada" <yamada@construction.example>')
        self.assertIn('Review document', invitation.body_html)
        signer_id, token = self.link_token(invitation)
        self.assertEqual(signer_id, contractor.id)
        self.assertEqual(self.find_by_token(signer_id, token), contractor)
        self.assertFalse(self.find_by_token(approver.id, token))
        self.assertFalse(self.find_by_token(signer_id, token, 'download'))
        Signer = self.env['esign.signer']
        for bad in (token[:-1] + ('A' if token[-1] != 'A' else 'B'), '', None, 'x' * 500, token + '/../1'):
            self.assertEqual(Signer._esign_resolve_token(signer_id, bad), (Signer, 'unknown'))
        self.assertEqual(Signer._esign_resolve_token('not-an-id', token), (Signer, 'unknown'))
        # Only a hash of the token is in the database.
        self.env.cr.execute("SELECT count(*) FROM esign_access_token WHERE token_hash = %s", [token])
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.assertFalse(self.mails_to(approver), 'in order: the approver waits for the contractor')

        # The contractor signs (as the portal will call it).
        self.assertTrue(contractor._complete_signing({}, {
            'ip': '203.0.113.7', 'user_agent': 'Mozilla/5.0 test', 'auth_method': 'email_link'}))
        self.assertEqual(contractor.state, 'signed')
        self.assertEqual(contractor.signed_ip, '203.0.113.7')
        self.assertEqual(envelope.state, 'in_progress')
        for document in envelope.document_ids:
            self.assert_signed(document._read_pdf('current'), [f'FIELD_{envelope.number}_{contractor.id}'])
        # Idempotent: a double click gives one signature.
        self.assertTrue(contractor._complete_signing({}, {}))
        self.assert_signed(envelope.document_ids[0]._read_pdf('current'),
                           [f'FIELD_{envelope.number}_{contractor.id}'])

        # Now, and only now, the approver is asked; they sign from the back office.
        self.assertEqual(approver.state, 'invited')
        self.assertEqual(len(self.mails_to(approver)), 1)
        self.assertTrue(envelope.with_user(self.approver).can_sign_as_me)
        self.assertFalse(envelope.with_user(self.officer).can_sign_as_me)
        wizard = self.env['esign.approve.wizard'].with_user(self.approver).create(
            {'signer_id': approver.id, 'confirmed': True})
        wizard.action_sign()

        self.assertEqual(envelope.state, 'completed')
        self.assertTrue(envelope.completed_at)
        for document in envelope.document_ids:
            reader = self.assert_signed(document._read_pdf('current'), [
                f'FIELD_{envelope.number}_{contractor.id}', f'FIELD_{envelope.number}_{approver.id}'],
                doc_timestamps=1)
            self.assertIn('/DSS', reader.root, 'long-term validation data is embedded')
            reasons = [str(sig.sig_object['/Reason']) for sig in reader.embedded_regular_signatures]
            self.assertIn('Taro Yamada 様 yamada@construction.example が', reasons[0])
            self.assertTrue(reasons[0].endswith('JSTに承認しました'))
        # The original stays as uploaded.
        self.assertNotIn(b'/ByteRange', envelope.document_ids[0]._read_pdf('original'))
        # At rest every version is encrypted (esign_hsm's vault): no PDF in the filestore or the database.
        for document in envelope.document_ids.sudo():
            for blob in document.original_blob_id | document.current_blob_id:
                self.assertNotIn(b'%PDF', blob.attachment_id.raw)
        self.assertFalse(self.env['ir.attachment'].sudo().search_count(
            [('res_model', '=', 'esign.document'), ('mimetype', '=', 'application/pdf')]))

        # 電子署名完了のお知らせ to every party, each with a download link valid 14 days.
        for signer in (contractor, approver):
            completed = self.mails_to(signer)[-1]
            self.assertEqual(completed.subject, 'Electronic signature completed')
            self.assertIn(envelope.number, completed.body_html)
            self.assertIn('Cover letter', completed.body_html)
            self.assertIn('14', completed.body_html)
            signer_id, token = self.link_token(completed, 'download')
            self.assertEqual(self.find_by_token(signer_id, token, 'download'), signer)
            # The signing links now say the envelope is closed.
            _id, sign_token = self.link_token(self.mails_to(signer)[0])
            self.assertEqual(self.env['esign.signer']._esign_resolve_token(signer.id, sign_token)[1], 'revoked')
        # The story is in the chatter.
        story = envelope.message_ids.mapped('body')
        for expected in ('Envelope sent.', 'Taro Yamada signed.', 'Approver Sato signed.',
                         'All signers have signed'):
            self.assertTrue(any(expected in body for body in story), expected)

    def test_parallel_envelope_invites_everyone_and_keeps_both_signatures(self):
        envelope = self.create_envelope(mode='parallel', documents={'Contract': 1})
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        envelope.with_user(self.officer).action_send()
        self.assertEqual((contractor.state, approver.state), ('invited', 'invited'))
        self.assertEqual(len(self.mails_to(contractor)), 1)
        self.assertEqual(len(self.mails_to(approver)), 1)
        # The approver signs first: in parallel, order does not matter.
        approver._complete_signing({}, {'auth_method': 'email_link'})
        self.assertEqual(envelope.state, 'in_progress')
        contractor._complete_signing({}, {'auth_method': 'email_link'})
        self.assertEqual(envelope.state, 'completed')
        self.assert_signed(envelope.document_ids._read_pdf('current'), [
            f'FIELD_{envelope.number}_{approver.id}', f'FIELD_{envelope.number}_{contractor.id}'], doc_timestamps=1)

    def test_same_order_number_signs_together(self):
        second_contractor = self.env['res.partner'].create({'name': 'Hanako Suzuki', 'email': 'hanako@example.com'})
        envelope = self.create_envelope(documents={'Contract': 1}, signers=[
            (self.contractor, 'contractor', 1), (second_contractor, 'contractor', 1),
            (self.approver.partner_id, 'municipality', 2)])
        envelope.with_user(self.officer).action_send()
        self.assertEqual(envelope.signer_ids.sorted('id').mapped('state'), ['invited', 'invited', 'waiting'])

    def test_text_date_checkbox_values_are_filled_and_checked(self):
        envelope = self.create_envelope(documents={'Contract': 1})
        contractor = envelope.signer_ids.sorted('signing_order')[0]
        document = envelope.document_ids
        Field = self.env['esign.field'].with_user(self.officer)
        company = Field.create({'document_id': document.id, 'signer_id': contractor.id, 'field_type': 'text',
                                'label': 'Company name', 'page': 1, 'x1': 72, 'y1': 100, 'x2': 300, 'y2': 120})
        day = Field.create({'document_id': document.id, 'signer_id': contractor.id, 'field_type': 'date',
                            'label': 'Start date', 'page': 1, 'x1': 72, 'y1': 140, 'x2': 200, 'y2': 160})
        agree = Field.create({'document_id': document.id, 'signer_id': contractor.id, 'field_type': 'checkbox',
                              'label': 'I agree', 'page': 1, 'x1': 72, 'y1': 180, 'x2': 86, 'y2': 194})
        envelope.with_user(self.officer).action_send()
        contractor._complete_signing({company.id: '株式会社デモ建設', str(day.id): '2026-04-01',
                                      agree.id: 'true'}, {'auth_method': 'email_link'})
        self.assertEqual((company.value, day.value, agree.value), ('株式会社デモ建設', '2026-04-01', 'true'))
        data = document._read_pdf('current')
        self.assert_signed(data, [f'FIELD_{envelope.number}_{contractor.id}'])
        fields = {str(f.get_object().get('/T')): f.get_object()
                  for f in PdfFileReader(io.BytesIO(data)).root['/AcroForm']['/Fields']}
        self.assertEqual(str(fields[company._esign_pdf_name()]['/V']), '株式会社デモ建設')
        self.assertEqual(str(fields[day._esign_pdf_name()]['/V']), '2026-04-01')
        self.assertEqual(str(fields[agree._esign_pdf_name()]['/V']), '/Yes')

    def test_blank_optional_fields_keep_every_signature_valid(self):
        envelope = self.create_envelope(documents={'Contract': 1})
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        document = envelope.document_ids
        self.env['esign.field'].with_user(self.officer).create([
            {'document_id': document.id, 'signer_id': contractor.id, 'field_type': 'text', 'required': False,
             'label': 'Remarks', 'page': 1, 'x1': 72, 'y1': 100, 'x2': 300, 'y2': 120},
            {'document_id': document.id, 'signer_id': contractor.id, 'field_type': 'checkbox', 'required': False,
             'label': 'Newsletter', 'page': 1, 'x1': 72, 'y1': 140, 'x2': 86, 'y2': 154},
        ])
        envelope.with_user(self.officer).action_send()
        contractor._complete_signing({}, {})
        approver._complete_signing({}, {})
        self.assertEqual(envelope.state, 'completed')
        self.assert_signed(document._read_pdf('current'), [
            f'FIELD_{envelope.number}_{contractor.id}', f'FIELD_{envelope.number}_{approver.id}'], doc_timestamps=1)

    def test_japanese_recipient_gets_japanese_mail(self):
        self.env['res.lang']._activate_lang('ja_JP')
        self.env['ir.module.module'].search([('name', '=', 'esign_municipal')])._update_translations(['ja_JP'])
        self.contractor.lang = 'ja_JP'
        envelope = self.create_envelope(documents={'Contract': 1}, name='電子契約サービス委託')
        envelope.with_user(self.officer).action_send()
        invitation = self.mails_to(envelope.signer_ids.sorted('signing_order')[0])
        self.assertEqual(invitation.subject, '【デモ市】様より電子契約サービス委託への署名依頼が届いています')
        self.assertIn('文書を確認する', invitation.body_html)
