import base64
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user
from odoo.tools import config, mute_logger

from odoo.addons.esign_hsm.testing.pki import build_pki

from .common import make_pdf
from .external_signature_common import EXTERNAL_ORGANIZATION, external_party, sign_externally

A4_WIDTH, A4_HEIGHT = 595.2756, 841.8898


@tagged('post_install', '-at_install')
class TestFieldEditor(HttpCase):
    """The officer places a field on a PDF page in headless Chromium (PDF.js as shipped with Odoo),
    and downloads documents from the back office."""

    def setUp(self):
        super().setUp()
        self.officer = new_test_user(self.env, 'esign_editor_officer', groups='esign_municipal.group_esign_user')
        contractor = self.env['res.partner'].create({'name': 'Taro Yamada', 'email': 'yamada@example.com'})
        Envelope = self.env['esign.envelope'].with_user(self.officer)
        self.envelope = Envelope.create({'name': 'Editor test'})
        self.document = self.env['esign.document'].with_user(self.officer).create({
            'envelope_id': self.envelope.id, 'name': 'Contract', 'pdf_upload': base64.b64encode(make_pdf('C', 2))})
        self.signer = self.env['esign.signer'].with_user(self.officer).create(
            {'envelope_id': self.envelope.id, 'partner_id': contractor.id})

    def test_place_a_text_field_by_clicking_on_the_page(self):
        self.start_tour(f'/odoo/action-esign_municipal.action_esign_envelope/{self.envelope.id}',
                        'esign_field_editor_tour', login=self.officer.login)
        field = self.envelope.field_ids
        self.assertEqual(len(field), 1)
        self.assertEqual((field.field_type, field.page, field.signer_id, field.label, field.document_id),
                         ('text', 1, self.signer, 'Company name', self.document))
        # A quarter from the left and from the top of the screen page is, in PDF
        # points from the bottom-left corner, x = W/4 and y = 3H/4 (the top edge).
        self.assertAlmostEqual(field.x1, A4_WIDTH / 4, delta=2)
        self.assertAlmostEqual(field.y2, A4_HEIGHT * 3 / 4, delta=2)
        self.assertAlmostEqual(field.x2 - field.x1, 160, delta=0.5)
        self.assertAlmostEqual(field.y2 - field.y1, 20, delta=0.5)

    def test_a_form_signed_elsewhere_shows_the_refusal_of_a_text_field(self):
        """The refusal of a text field on a template form signed elsewhere reaches the
        template manager in the editor (the tour), and leaves only what was accepted."""
        party = external_party(build_pki(prefix='Gaibu Kensetsu', organization=EXTERNAL_ORGANIZATION))
        manager = new_test_user(self.env, 'esign_editor_manager', groups='esign_municipal.group_esign_manager')
        template = self.env['esign.template'].with_user(manager).create({
            'name': 'Signed form', 'role_ids': [Command.create({'name': 'Contractor', 'role': 'contractor'})]})
        document = self.env['esign.template.document'].with_user(manager).create({
            'template_id': template.id, 'name': 'Signed contract',
            'pdf_file': base64.b64encode(sign_externally(make_pdf('C'), party))})
        self.start_tour(f'/odoo/action-esign_municipal.action_esign_template/{template.id}',
                        'esign_template_signed_form_tour', login=manager.login)
        self.assertEqual(document.field_ids.mapped('field_type'), ['signature'])

    def test_editor_refuses_fields_of_other_envelopes_and_sent_envelopes(self):
        other = self.env['esign.envelope'].with_user(self.officer).create({'name': 'Other'})
        other_signer = self.env['esign.signer'].with_user(self.officer).create(
            {'envelope_id': other.id, 'partner_id': self.signer.partner_id.id})
        with self.assertRaises(ValidationError):
            self.envelope.with_user(self.officer).esign_editor_save([{
                'id': False, 'document_id': self.document.id, 'party_id': other_signer.id,
                'field_type': 'signature', 'page': 1, 'x1': 0, 'y1': 0, 'x2': 0, 'y2': 0}])
        self.envelope.with_user(self.officer).esign_editor_save([{
            'id': False, 'document_id': self.document.id, 'party_id': self.signer.id, 'field_type': 'signature',
            'label': 'Signature', 'required': True, 'page': 2, 'x1': 300, 'y1': 100, 'x2': 460, 'y2': 148}])
        data = self.envelope.with_user(self.officer).esign_editor_load()
        self.assertEqual(len(data['fields']), 1)
        self.assertEqual(data['fields'][0]['page'], 2)
        self.assertEqual(data['documents'][0]['page_count'], 2)
        self.assertFalse(data['readonly'])
        # Moving and removing through the editor.
        moved = dict(data['fields'][0], x1=310, x2=470)
        self.envelope.with_user(self.officer).esign_editor_save([moved])
        self.assertEqual((self.envelope.field_ids.x1, self.envelope.field_ids.x2), (310, 470))
        self.envelope.with_user(self.officer).esign_editor_save([])
        self.assertFalse(self.envelope.field_ids)
        self.envelope.sudo().state = 'sent'
        with self.assertRaises(UserError):
            self.envelope.with_user(self.officer).esign_editor_save([])
        self.assertTrue(self.envelope.with_user(self.officer).esign_editor_load()['readonly'])

    def test_download_from_the_back_office(self):
        url = f'/esign/document/{self.document.id}/original'
        self.authenticate(self.officer.login, self.officer.login)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Content-Type'], 'application/pdf')
        self.assertEqual(response.content, self.document._read_pdf('original'))
        self.assertIn('Contract.pdf', response.headers['Content-Disposition'])
        self.assertEqual(self.url_open(f'/esign/document/{self.document.id}/secret').status_code, 404)
        self.assertEqual(self.url_open(f'/esign/document/{self.document.id + 1000}/original').status_code, 404)
        # Someone who cannot see the envelope gets nothing, not even a hint that it exists.
        stranger = new_test_user(self.env, 'esign_stranger', groups='esign_municipal.group_esign_user')
        self.authenticate(stranger.login, stranger.login)
        self.assertEqual(self.url_open(url).status_code, 404)
        self.authenticate(None, None)
        self.assertNotEqual(self.url_open(url, allow_redirects=False).status_code, 200)

    @mute_logger('odoo.addons.esign_hsm.models.esign_key_custody', 'odoo.http')
    def test_download_without_the_key_encryption_key_says_so(self):
        url = f'/esign/document/{self.document.id}/original'
        self.authenticate(self.officer.login, self.officer.login)
        with patch.dict(config.options, {'esign_kek_file': '/nonexistent/esign/kek.key'}):
            response = self.url_open(url)
        # Not "not found": the document is there, its key-encryption key is not.
        self.assertEqual(response.status_code, 400)
        self.assertIn('key-encryption key', response.text)
        self.assertNotIn(b'%PDF', response.content)
        self.assertEqual(self.url_open(url).status_code, 200)  # the key back: readable again
