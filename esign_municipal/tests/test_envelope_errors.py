import base64

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import EsignCase, make_pdf


@tagged('post_install', '-at_install')
class TestEnvelopeErrors(EsignCase):
    """Every bad input gets a clear message and leaves nothing half-saved."""

    def assert_nothing_sent(self, envelope):
        self.assertEqual(envelope.state, 'draft')
        self.assertFalse(envelope.document_ids.sudo().current_blob_id, 'no prepared PDF was kept')
        self.assertFalse(self.env['mail.mail'].sudo().search_count(
            [('model', '=', 'esign.signer'), ('res_id', 'in', envelope.signer_ids.ids)]))
        self.assertFalse(self.env['esign.access.token'].sudo().search_count(
            [('signer_id', 'in', envelope.signer_ids.ids)]))
        self.assertEqual(set(envelope.signer_ids.mapped('state')) - {'waiting'}, set())

    def test_envelope_without_signer(self):
        envelope = self.create_envelope(signers=[])
        with self.assertRaisesRegex(UserError, 'Add at least one signer'):
            envelope.with_user(self.officer).action_send()
        self.assert_nothing_sent(envelope)

    def test_envelope_without_document(self):
        envelope = self.create_envelope(documents={}, signers=[])
        with self.assertRaisesRegex(UserError, 'Add at least one PDF document'):
            envelope.with_user(self.officer).action_send()

    def test_signer_without_email(self):
        no_mail = self.env['res.partner'].create({'name': 'No Mail Co.'})
        envelope = self.create_envelope(signers=[(no_mail, 'contractor', 1), (self.approver.partner_id,
                                                                               'municipality', 2)])
        with self.assertRaisesRegex(UserError, 'No Mail Co. has no valid email address'):
            envelope.with_user(self.officer).action_send()
        self.assert_nothing_sent(envelope)
        # A malformed address is no better.
        envelope.signer_ids.filtered(lambda s: s.partner_id == no_mail).with_user(self.officer).email = 'not-an-email'
        with self.assertRaisesRegex(UserError, 'no valid email address'):
            envelope.with_user(self.officer).action_send()

    def test_signer_without_signature_field(self):
        envelope = self.create_envelope(documents={'Contract': 1})
        envelope.field_ids.filtered(lambda f: f.signer_id.role == 'municipality').with_user(self.officer).unlink()
        with self.assertRaisesRegex(UserError, 'Approver Sato has no signature field'):
            envelope.with_user(self.officer).action_send()
        self.assert_nothing_sent(envelope)

    def test_problems_are_listed_together(self):
        no_mail = self.env['res.partner'].create({'name': 'No Mail Co.'})
        envelope = self.create_envelope(signers=[(no_mail, 'contractor', 1)])
        envelope.field_ids.with_user(self.officer).unlink()
        with self.assertRaises(UserError) as caught:
            envelope.with_user(self.officer).action_send()
        message = caught.exception.args[0]
        self.assertIn('no valid email address', message)
        self.assertIn('has no signature field', message)

    def test_non_pdf_document_is_refused_at_upload(self):
        envelope = self.create_envelope(documents={})
        blobs_before = self.env['esign.vault.blob'].sudo().search_count([])
        for data, expected in ((b'PK\x03\x04 this is a zip', 'is not a PDF file'),
                               (make_pdf('Cut', 2)[:-400], 'incomplete'),
                               (b'%PDF-1.7\n garbage that is no PDF at all \n%%EOF', 'damaged')):
            # assertRaises (not ...Regex) rolls back to a savepoint, as the request would.
            with self.subTest(expected=expected), self.assertRaises(UserError) as caught:
                self.env['esign.document'].with_user(self.officer).create({
                    'envelope_id': envelope.id, 'name': 'Quote.xlsx', 'pdf_upload': base64.b64encode(data)})
            self.assertIn(expected, caught.exception.args[0])
        self.assertFalse(envelope.document_ids, 'the refused files were not kept')
        self.assertEqual(self.env['esign.vault.blob'].sudo().search_count([]), blobs_before)

    def test_document_without_file(self):
        envelope = self.create_envelope(documents={'Contract': 1})
        self.env['esign.document'].with_user(self.officer).create({'envelope_id': envelope.id, 'name': 'Annex'})
        with self.assertRaisesRegex(UserError, '"Annex" has no PDF file'):
            envelope.with_user(self.officer).action_send()
        self.assert_nothing_sent(envelope)

    def test_sending_twice(self):
        envelope = self.create_envelope()
        envelope.with_user(self.officer).action_send()
        with self.assertRaisesRegex(UserError, 'has already been sent'):
            envelope.with_user(self.officer).action_send()
        self.assertEqual(len(self.mails_to(envelope.signer_ids.sorted('signing_order')[0])), 1)

    def test_editing_after_sending(self):
        envelope = self.create_envelope()
        envelope.with_user(self.officer).action_send()
        contractor = envelope.signer_ids.sorted('signing_order')[0]
        document = envelope.document_ids[0]
        as_officer = envelope.with_user(self.officer)
        attempts = {
            'title': lambda: as_officer.write({'name': 'Another title'}),
            'amount': lambda: as_officer.write({'amount': 1}),
            'expiry': lambda: as_officer.write({'expiry_date': '2099-01-01'}),
            'state': lambda: as_officer.write({'state': 'completed'}),
            'document name': lambda: document.with_user(self.officer).write({'name': 'x'}),
            'document file': lambda: document.with_user(self.officer).write(
                {'pdf_upload': base64.b64encode(make_pdf('Other'))}),
            'new document': lambda: self.env['esign.document'].with_user(self.officer).create({
                'envelope_id': envelope.id, 'name': 'Extra', 'pdf_upload': base64.b64encode(make_pdf())}),
            'remove document': lambda: document.with_user(self.officer).unlink(),
            'signer email': lambda: contractor.with_user(self.officer).write({'email': 'evil@example.com'}),
            'new signer': lambda: self.env['esign.signer'].with_user(self.officer).create(
                {'envelope_id': envelope.id, 'partner_id': self.vendor.id}),
            'field move': lambda: envelope.field_ids[0].with_user(self.officer).write({'page': 2}),
            'delete envelope': lambda: as_officer.unlink(),
        }
        before = document._read_pdf('current')
        for what, attempt in attempts.items():
            with self.subTest(what=what), self.assertRaises(UserError):
                attempt()
        self.assertEqual(envelope.name, 'Outsourcing contract')
        self.assertEqual(envelope.state, 'sent')
        self.assertEqual(document._read_pdf('current'), before)
        self.assertEqual(len(envelope.document_ids), 2)
        # The chatter stays open.
        as_officer.message_post(body='Called the contractor.')

    def test_flow_fields_cannot_be_set_by_hand(self):
        envelope = self.create_envelope()
        contractor = envelope.signer_ids.sorted('signing_order')[0]
        with self.assertRaisesRegex(UserError, 'recorded by the signing process'):
            contractor.with_user(self.officer).write({'state': 'signed'})
        with self.assertRaisesRegex(UserError, 'recorded by the signing process'):
            envelope.field_ids[0].with_user(self.officer).write({'value': 'x'})
        with self.assertRaises(UserError):
            envelope.with_user(self.officer).write({'completed_at': '2026-01-01 00:00:00'})

    def test_signature_field_once_per_document(self):
        envelope = self.create_envelope(documents={'Contract': 1})
        field = envelope.field_ids[0]
        with self.assertRaisesRegex(ValidationError, 'already has a signature field'):
            self.env['esign.field'].with_user(self.officer).create({
                'document_id': field.document_id.id, 'signer_id': field.signer_id.id,
                'field_type': 'signature', 'page': 1})
        with self.assertRaisesRegex(ValidationError, 'has 1 page'):
            self.env['esign.field'].with_user(self.officer).create({
                'document_id': field.document_id.id, 'signer_id': field.signer_id.id,
                'field_type': 'text', 'page': 3, 'x1': 10, 'y1': 10, 'x2': 100, 'y2': 30})
        with self.assertRaisesRegex(ValidationError, 'not a valid rectangle'):
            self.env['esign.field'].with_user(self.officer).create({
                'document_id': field.document_id.id, 'signer_id': field.signer_id.id,
                'field_type': 'text', 'page': 1, 'x1': 100, 'y1': 10, 'x2': 50, 'y2': 30})

    def test_signing_values_are_checked_on_the_server(self):
        envelope = self.create_envelope(documents={'Contract': 1})
        contractor = envelope.signer_ids.sorted('signing_order')[0]
        document = envelope.document_ids
        Field = self.env['esign.field'].with_user(self.officer)
        name = Field.create({'document_id': document.id, 'signer_id': contractor.id, 'field_type': 'text',
                             'label': 'Company name', 'required': True, 'page': 1,
                             'x1': 72, 'y1': 100, 'x2': 300, 'y2': 120})
        day = Field.create({'document_id': document.id, 'signer_id': contractor.id, 'field_type': 'date',
                            'label': 'Start date', 'required': False, 'page': 1,
                            'x1': 72, 'y1': 140, 'x2': 200, 'y2': 160})
        other_field = envelope.field_ids.filtered(lambda f: f.signer_id != contractor)[0]
        envelope.with_user(self.officer).action_send()
        before = document._read_pdf('current')
        for values, expected in (
            ({}, '"Company name" is required'),
            ({name.id: '   '}, '"Company name" is required'),
            ({name.id: 'x' * 201}, 'too long'),
            ({name.id: 'OK', day.id: '01/04/2026'}, 'must be a date'),
            ({name.id: 'OK', other_field.id: 'x'}, 'do not belong to you'),
            ({name.id: 'OK', 'abc': 'x'}, 'not valid'),
            ({name.id: 'line\x00break'}, 'cannot be printed'),
        ):
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, expected):
                contractor._complete_signing(values, {})
        self.assertEqual(contractor.state, 'invited')
        self.assertFalse(name.value)
        self.assertEqual(document._read_pdf('current'), before)

    def test_cannot_sign_out_of_turn_or_after_the_end(self):
        envelope = self.create_envelope(documents={'Contract': 1})
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        with self.assertRaisesRegex(UserError, 'not been sent yet'):
            contractor._complete_signing({}, {})
        envelope.with_user(self.officer).action_send()
        with self.assertRaisesRegex(UserError, 'not your turn'):
            approver._complete_signing({}, {})
        envelope.with_user(self.officer)._esign_cancel('Wrong amount')
        with self.assertRaisesRegex(UserError, 'cancelled'):
            contractor._complete_signing({}, {})

    def test_decline_needs_a_reason(self):
        envelope = self.create_envelope(documents={'Contract': 1})
        envelope.with_user(self.officer).action_send()
        contractor = envelope.signer_ids.sorted('signing_order')[0]
        with self.assertRaisesRegex(UserError, 'reason for declining'):
            contractor._esign_decline('  ', {})
        self.assertEqual(contractor.state, 'invited')
