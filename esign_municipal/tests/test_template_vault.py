import base64

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools.convert import convert_file

from .common import EsignCase, assert_nowhere_in_clear, make_pdf, marked_pdf, places_in_clear


@tagged('post_install', '-at_install')
class TestTemplateVault(EsignCase, HttpCase):
    """The blank forms of templates are kept encrypted in esign_hsm's vault,
    like every other document: never as a plain attachment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.env.ref('base.user_admin')
        cls.template = cls.env['esign.template'].with_user(cls.manager).create({
            'name': 'Standard NDA',
            'role_ids': [Command.create({'name': 'Contractor', 'role': 'contractor', 'signing_order': 1})],
        })

    def add_document(self, pdf, name='機密保持契約書'):
        return self.env['esign.template.document'].with_user(self.manager).create({
            'template_id': self.template.id, 'name': name, 'filename': 'nda.pdf', 'pdf_file': base64.b64encode(pdf)})

    def test_form_is_encrypted_and_reads_back(self):
        pdf, marker = marked_pdf('TEMPLATE-FORM')
        document = self.add_document(pdf)
        self.assertEqual(document.page_count, 1)
        blob = document.sudo().blob_id
        self.assertTrue(blob, 'kept in the vault')
        self.assertNotIn(b'%PDF', blob.attachment_id.raw)
        self.assertFalse(self.env['ir.attachment'].sudo().search_count(
            [('res_model', '=', 'esign.template.document')]), 'no plain attachment of the form')
        assert_nowhere_in_clear(self, [marker], 'a template PDF')
        # Those who may read the template read the form, through the ORM and through the field
        # editor's /web/content link.
        self.assertEqual(document.with_user(self.officer)._read_pdf(), pdf)
        self.assertEqual(base64.b64decode(document.with_user(self.officer).pdf_file), pdf)
        self.authenticate(self.officer.login, self.officer.login)
        response = self.url_open(self.template.esign_editor_load()['documents'][0]['url'])
        self.assertEqual((response.status_code, response.content), (200, pdf))

    def test_replaced_copied_and_deleted_forms_leave_no_file_behind(self):
        document = self.add_document(make_pdf('First form'))
        first = document.sudo().blob_id
        second_pdf = make_pdf('Second form', 3)
        document.with_user(self.manager).pdf_file = base64.b64encode(second_pdf)
        self.assertFalse(first.exists(), 'the replaced version goes')
        self.assertEqual((document._read_pdf(), document.page_count), (second_pdf, 3))

        copy = self.template.with_user(self.manager).copy()
        copied = copy.document_ids
        self.assertEqual(copied._read_pdf(), second_pdf)
        self.assertNotEqual(copied.sudo().blob_id, document.sudo().blob_id, 'each form has its own key')

        blobs = (document | copied).sudo().blob_id
        (self.template | copy).with_user(self.manager).unlink()
        self.assertFalse(blobs.exists())

    def test_a_copied_template_keeps_its_fields_on_its_own_roles(self):
        self.env['esign.template.role'].with_user(self.manager).create(
            {'template_id': self.template.id, 'name': 'City', 'role': 'municipality', 'signing_order': 2})
        contractor, city = self.template.role_ids
        document = self.add_document(make_pdf('Form', 2))
        self.env['esign.template.field'].with_user(self.manager).create([
            {'document_id': document.id, 'role_id': contractor.id, 'field_type': 'signature', 'page': 1},
            {'document_id': document.id, 'role_id': contractor.id, 'field_type': 'text', 'page': 1,
             'label': 'Company', 'x1': 72, 'y1': 90, 'x2': 300, 'y2': 110},
            {'document_id': document.id, 'role_id': city.id, 'field_type': 'signature', 'page': 2}])
        copy = self.template.with_user(self.manager).copy()
        self.assertEqual(copy.role_ids.mapped('name'), ['Contractor', 'City'])
        copied_fields = copy.document_ids.field_ids
        self.assertEqual(copied_fields.role_id, copy.role_ids, 'the copy\'s fields are on the copy\'s roles')
        self.assertEqual(sorted((f.role_id.name, f.field_type, f.page, f.label or '') for f in copied_fields),
                         sorted((f.role_id.name, f.field_type, f.page, f.label or '') for f in document.field_ids))
        self.assertEqual(document.field_ids.role_id, contractor | city, 'the original keeps its own')

    def test_a_template_document_needs_its_pdf(self):
        with self.assertRaisesRegex(UserError, 'has no PDF file'), self.env.cr.savepoint():
            self.env['esign.template.document'].with_user(self.manager).create(
                {'template_id': self.template.id, 'name': 'Empty form'})
        with self.assertRaisesRegex(UserError, 'is not a PDF file'), self.env.cr.savepoint():
            self.add_document(b'Hello, not a PDF')
        self.assertFalse(self.template.document_ids)

    def form_stored_before_the_vault(self, label):
        """A template document whose form is kept as databases made before the vault
        held templates keep it: a plain attachment of pdf_file, no blob.
        Returns (document, that attachment, the form, a marker of its bytes)."""
        document = self.add_document(make_pdf('Form'))
        old_pdf, marker = marked_pdf(label)
        blob = document.sudo().blob_id
        document.sudo().blob_id = False
        blob.unlink()
        legacy = self.env['ir.attachment'].sudo().create({
            'name': 'pdf_file', 'raw': old_pdf, 'res_model': document._name, 'res_id': document.id,
            'res_field': 'pdf_file'})
        document.invalidate_recordset()
        self.assertTrue(places_in_clear(self.env, [marker]))
        return document, legacy, old_pdf, marker

    def test_a_form_stored_before_the_vault_moves_into_it_when_replaced(self):
        """Such forms are still read, and moved when replaced."""
        document, legacy, old_pdf, marker = self.form_stored_before_the_vault('FORM-IN-CLEAR')
        self.assertEqual(document.with_user(self.officer)._read_pdf(), old_pdf)
        document.with_user(self.manager).pdf_file = base64.b64encode(old_pdf)
        self.assertFalse(legacy.exists())
        self.assertTrue(document.sudo().blob_id)
        self.assertEqual(document._read_pdf(), old_pdf)
        self.env['ir.attachment']._gc_file_store_unsafe()  # Odoo's filestore clean-up
        assert_nowhere_in_clear(self, [marker], 'the replaced form')

    def test_forms_stored_in_clear_move_into_the_vault_on_update_and_daily(self):
        """Without being replaced: the update of the addon (and the daily clean-up) moves them."""
        document, legacy, old_pdf, marker = self.form_stored_before_the_vault('FORM-LEFT-IN-CLEAR')
        # What the addon's update runs (data/template_forms_vault.xml), as the daily clean-up does.
        convert_file(self.env, 'esign_municipal', 'data/template_forms_vault.xml', {}, mode='update', noupdate=False)
        self.assertFalse(legacy.exists())
        document.invalidate_recordset()
        self.assertTrue(document.sudo().blob_id)
        self.assertEqual(document.with_user(self.officer)._read_pdf(), old_pdf)
        self.env['ir.attachment']._gc_file_store_unsafe()
        assert_nowhere_in_clear(self, [marker], 'the form kept in clear before the vault')
