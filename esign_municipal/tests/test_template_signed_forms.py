import base64

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.esign_hsm.testing.pki import build_pki

from .archive_common import ArchiveCase
from .common import make_pdf
from .rpc_common import RpcAttackMixin
from .external_signature_common import EXTERNAL_ORGANIZATION, external_party, external_status, sign_externally

FORM = '業務委託契約書'
REFUSAL_EN = (f'"{FORM}" is already signed elsewhere: only signature fields can be placed on it, '
              'no text, date or checkbox fields.')
REFUSAL_JA = f'「{FORM}」は他で署名済みです。署名フィールドのみ配置でき、テキスト入力・日付・チェックボックスは配置できません。'
TEXT_FIELD = {'field_type': 'text', 'label': 'Company name', 'page': 1, 'x1': 72, 'y1': 600, 'x2': 300, 'y2': 620}


@tagged('post_install', '-at_install')
class TestTemplateSignedForms(ArchiveCase, HttpCase, RpcAttackMixin):
    """署名互換 in templates: a form already signed elsewhere takes only signature
    fields. The clerk who builds the template is told so when placing a field,
    in the words the sending of an envelope would use, not only when an
    envelope made from the template is sent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.party = external_party(build_pki(prefix='Gaibu Kensetsu', organization=EXTERNAL_ORGANIZATION))
        cls.signed_form = sign_externally(make_pdf('Outsourcing', 2), cls.party)
        cls.template = cls.env['esign.template'].with_user(cls.manager).create({
            'name': 'Outsourcing signed by the contractor',
            'role_ids': [Command.create({'name': 'Contractor', 'role': 'contractor', 'signing_order': 1}),
                         Command.create({'name': 'Approver', 'role': 'municipality', 'signing_order': 2})],
        })
        cls.contractor_role, cls.approver_role = cls.template.role_ids.sorted('signing_order')

    def add_form(self, pdf, name=FORM):
        return self.env['esign.template.document'].with_user(self.manager).create({
            'template_id': self.template.id, 'name': name, 'filename': 'form.pdf', 'pdf_file': base64.b64encode(pdf)})

    def add_field(self, document, user=None, **values):
        return self.env['esign.template.field'].with_user(user or self.manager).create(
            dict({'document_id': document.id, 'role_id': self.contractor_role.id, 'field_type': 'signature',
                  'page': 2, 'label': 'Signature', 'x1': 320, 'y1': 60, 'x2': 470, 'y2': 120}, **values))

    def assert_refused(self, action, lang='en_US'):
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            action(self.env(context=dict(self.env.context, lang=lang)))
        self.assertEqual(caught.exception.args[0], REFUSAL_EN if lang == 'en_US' else REFUSAL_JA)

    # -- placing fields -------------------------------------------------------------------------

    def test_a_signed_form_refuses_text_date_and_checkbox_fields(self):
        document = self.add_form(self.signed_form)
        self.assertEqual(document.form_signature, 'signed')
        for field_type in ('text', 'date', 'checkbox'):
            for lang in ('en_US', 'ja_JP'):
                with self.subTest(field_type=field_type, lang=lang):
                    self.assert_refused(lambda env: env['esign.template.field'].with_user(self.manager).create(
                        dict(TEXT_FIELD, document_id=document.id, role_id=self.contractor_role.id,
                             field_type=field_type)), lang)
        self.assertFalse(self.env['esign.template.field'].search([('document_id', '=', document.id)]),
                         'nothing saved')

    def test_the_field_editor_gets_the_same_refusal_and_saves_nothing(self):
        document = self.add_form(self.signed_form)
        signature = self.add_field(document)
        editor_fields = self.template.with_user(self.manager).esign_editor_load()['fields']
        self.assertEqual(self.template.with_user(self.manager).esign_editor_load()['documents'][0]['signed_form'],
                         True, 'the editor says so before any field is placed')
        for lang in ('en_US', 'ja_JP'):
            self.assert_refused(lambda env: self.template.with_env(env).with_user(self.manager).esign_editor_save(
                [dict(editor_fields[0], x1=330, x2=480),
                 dict(TEXT_FIELD, id=False, document_id=document.id, party_id=self.contractor_role.id)]), lang)
        self.assertEqual(document.field_ids, signature, 'nothing saved')
        self.assertEqual(signature.x1, 320, 'not even the move made in the same save')

    def test_a_signed_form_takes_signature_fields(self):
        document = self.add_form(self.signed_form)
        visible = self.add_field(document)
        invisible = self.add_field(document, role_id=self.approver_role.id, x1=0, y1=0, x2=0, y2=0)
        self.assertEqual(document.field_ids, visible | invisible)
        visible.with_user(self.manager).write({'label': 'Contractor signature', 'page': 1})
        self.assertEqual(visible.label, 'Contractor signature')

    def test_a_signature_field_of_a_signed_form_cannot_become_text(self):
        document = self.add_form(self.signed_form)
        signature = self.add_field(document)
        for lang in ('en_US', 'ja_JP'):
            self.assert_refused(lambda env: signature.with_env(env).with_user(self.manager).write(
                {'field_type': 'text'}), lang)
        signature.invalidate_recordset()
        self.assertEqual(signature.field_type, 'signature')

    def test_a_text_field_cannot_move_onto_a_signed_form(self):
        plain = self.add_form(make_pdf('Cover letter'), name='Cover letter')
        signed = self.add_form(self.signed_form)
        text = self.add_field(plain, **TEXT_FIELD)
        self.assert_refused(lambda env: text.with_env(env).with_user(self.manager).write({'document_id': signed.id}))
        text.invalidate_recordset()
        self.assertEqual(text.document_id, plain)

    # -- replacing the form -----------------------------------------------------------------------

    def test_a_form_with_text_fields_cannot_be_replaced_by_a_signed_one(self):
        unsigned_pdf = make_pdf('Outsourcing', 2)
        document = self.add_form(unsigned_pdf)
        self.assertEqual(document.form_signature, 'unsigned')
        self.add_field(document, **TEXT_FIELD)
        self.add_field(document)
        blob = document.sudo().blob_id
        for lang, refusal in (('en_US', REFUSAL_EN), ('ja_JP', REFUSAL_JA)):
            with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
                document.with_user(self.manager).with_context(lang=lang).pdf_file = base64.b64encode(
                    self.signed_form)
            message = caught.exception.args[0]
            self.assertIn(refusal, message)
            self.assertIn('Company name', message, 'names the fields in the way')
        document.invalidate_recordset()
        self.assertEqual((document.sudo().blob_id, document.form_signature), (blob, 'unsigned'), 'old form kept')
        self.assertEqual(document._read_pdf(), unsigned_pdf)

        # Without its text field, the form may become the signed one; the other way round, text is welcome again.
        document.field_ids.filtered(lambda f: f.field_type == 'text').with_user(self.manager).unlink()
        document.with_user(self.manager).pdf_file = base64.b64encode(self.signed_form)
        self.assertEqual((document._read_pdf(), document.form_signature), (self.signed_form, 'signed'))
        document.with_user(self.manager).pdf_file = base64.b64encode(unsigned_pdf)
        self.assertEqual(document.form_signature, 'unsigned')
        self.add_field(document, **TEXT_FIELD)

    # -- forms stored before it was recorded ----------------------------------------------------------

    def test_forms_stored_before_it_was_recorded_are_read_once(self):
        """Such a form (no record: the column is newer) is read when a field other than
        a signature is placed on it, or when the editor opens, and recorded then."""
        signed = self.add_form(self.signed_form)
        signature = self.add_field(signed)
        plain = self.add_form(make_pdf('Cover letter'), name='Cover letter')
        (signed | plain).sudo().form_signature = False
        self.assert_refused(lambda env: signature.with_env(env).with_user(self.manager).write({'field_type': 'date'}))
        self.assertEqual(self.template.with_user(self.officer).esign_editor_load()['documents'][0]['signed_form'],
                         True)
        self.assertEqual(signed.form_signature, 'signed', 'recorded: not decrypted again')
        self.add_field(plain, **TEXT_FIELD)
        self.assertEqual(plain.form_signature, 'unsigned')

    # -- attacks: the record that lifts the refusal is the flow's alone -------------------------------

    def test_a_manager_cannot_mark_a_signed_form_unsigned(self):
        document = self.add_form(self.signed_form)
        as_manager = document.with_user(self.manager)
        for values in ({'form_signature': 'unsigned'}, {'form_signature': False}):
            with self.assertRaisesRegex(UserError, 'cannot be set by hand'), self.env.cr.savepoint():
                as_manager.write(values)
        with self.assertRaisesRegex(UserError, 'cannot be set by hand'), self.env.cr.savepoint():
            self.env['esign.template.document'].with_user(self.manager).create({
                'template_id': self.template.id, 'name': 'Other', 'form_signature': 'unsigned',
                'pdf_file': base64.b64encode(make_pdf('Other'))})
        # (A default for it, from the context or ir.default, would be overwritten: a form is always
        # stored with its PDF, which sets it.)
        document.invalidate_recordset()
        self.assertEqual(document.form_signature, 'signed')
        self.assert_refused(lambda env: env['esign.template.field'].with_user(self.manager).create(
            dict(TEXT_FIELD, document_id=document.id, role_id=self.contractor_role.id)))

    def test_a_manager_cannot_mark_it_unsigned_over_json_rpc(self):
        """As the web client calls: marking the form unsigned, then placing a text field on it."""
        document = self.add_form(self.signed_form)
        self.authenticate(self.manager.login, self.manager.login)
        Document = 'esign.template.document'
        self.assert_rpc_refused(Document, 'write', [[document.id], {'form_signature': 'unsigned'}],
                                message='cannot be set by hand')
        self.assert_rpc_refused(Document, 'web_save', [[document.id], {'form_signature': 'unsigned'}],
                                kwargs={'specification': {'form_signature': {}}}, message='cannot be set by hand')
        self.assert_rpc_refused(Document, 'create', [{'template_id': self.template.id, 'name': 'Other',
                                                      'form_signature': 'unsigned',
                                                      'pdf_file': base64.b64encode(make_pdf('Other')).decode()}],
                                message='cannot be set by hand')
        self.assert_rpc_refused('esign.template', 'esign_editor_save', [[self.template.id], [
            dict(TEXT_FIELD, id=False, document_id=document.id, party_id=self.contractor_role.id)]],
            errors=('odoo.exceptions.ValidationError', 'odoo.exceptions.UserError'), message=REFUSAL_EN)
        self.assertEqual(document.form_signature, 'signed')
        self.assertFalse(self.template.document_ids.field_ids)

    # -- an envelope from a valid template -----------------------------------------------------------

    def test_an_envelope_from_a_signed_form_template_sends_and_completes(self):
        document = self.add_form(self.signed_form)
        self.add_field(document)
        self.add_field(document, role_id=self.approver_role.id, x1=100, x2=250)
        envelope = self.env['esign.envelope'].with_user(self.officer).create({'name': 'From a signed form'})
        action = envelope.with_user(self.officer).action_apply_template()
        wizard = self.env[action['res_model']].with_user(self.officer).with_context(action['context']).create(
            {'template_id': self.template.id})
        wizard.line_ids.sorted(lambda line: line.role_id.signing_order)[0].partner_id = self.contractor
        wizard.line_ids.sorted(lambda line: line.role_id.signing_order)[1].partner_id = self.approver.partner_id
        wizard.action_apply()
        envelope.with_user(self.officer).action_send()
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        self.assertTrue(contractor._complete_signing({}, {'auth_method': 'email_link'}))
        self.assertTrue(approver.with_user(self.approver)._complete_signing({}, {'auth_method': 'backoffice'}))
        self.assertEqual(envelope.state, 'completed')
        signed = envelope.document_ids._read_pdf('current')
        self.assertTrue(signed.startswith(self.signed_form), 'the form signed elsewhere is never rewritten')
        status = external_status(signed, self.party)
        self.assertTrue(status.intact and status.valid and status.docmdp_ok, status.pretty_print_details())
        self.assertTrue(envelope.contract_ids)
