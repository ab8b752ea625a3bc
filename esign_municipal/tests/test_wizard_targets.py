import json

from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from .common import EsignCase
from .rpc_common import RpcAttackMixin

ACCESS_ERROR = ('odoo.exceptions.AccessError',)


@tagged('post_install', '-at_install')
class TestWizardTargets(RpcAttackMixin, HttpCase, EsignCase):
    """The sign, decline and cancel wizards take the ids the client sends:
    a user of another municipality learns nothing of an envelope through
    them, and only the signer themself signs or declines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env['res.company'].create({'name': 'Other Town'})
        cls.intruder = new_test_user(cls.env, 'esign_other_town', groups='esign_municipal.group_esign_user',
                                     company_id=cls.other_company.id, company_ids=[(6, 0, cls.other_company.ids)],
                                     email='clerk@other-town.example', name='Other Clerk')

    def setUp(self):
        super().setUp()
        self.envelope = self.create_envelope(documents={'Contract': 1}, mode='parallel', name='Bridge repair 2026')
        self.env['esign.field'].with_user(self.officer).create({
            'document_id': self.envelope.document_ids.id, 'signer_id': self.approver_signer().id,
            'field_type': 'text', 'page': 1, 'label': 'Budget code', 'required': False,
            'x1': 72, 'y1': 600, 'x2': 320, 'y2': 624})
        self.envelope.with_user(self.officer).action_send()

    def approver_signer(self):
        return self.envelope.signer_ids.filtered(lambda s: s.partner_id == self.approver.partner_id)

    def secrets(self):
        """What a refusal must not reveal."""
        signer = self.approver_signer()
        return [self.envelope.name, self.envelope.number, signer.name, self.contractor.name, 'Budget code']

    def assert_reveals_nothing(self, error):
        text = json.dumps(error, ensure_ascii=False)
        for secret in self.secrets():
            self.assertNotIn(secret, text)

    def wizard_counts(self):
        return {model: self.env[model].sudo().search_count([])
                for model in ('esign.approve.wizard', 'esign.approve.wizard.line', 'esign.decline.wizard',
                              'esign.cancel.wizard')}

    def test_another_company_learns_nothing_and_creates_nothing(self):
        signer = self.approver_signer()
        text_field = signer.field_ids.filtered(lambda f: f.field_type == 'text')
        before = self.wizard_counts()
        self.authenticate('esign_other_town', 'esign_other_town')
        attacks = [
            ('esign.approve.wizard', 'create', [{'signer_id': signer.id, 'confirmed': True}], {}),
            ('esign.decline.wizard', 'create', [{'signer_id': signer.id, 'reason': 'No'}], {}),
            ('esign.cancel.wizard', 'create', [{'envelope_id': self.envelope.id, 'reason': 'No'}], {}),
            ('esign.approve.wizard.line', 'create', [{'field_id': text_field.id}], {}),
            # What the form asks before anything is saved: defaults and onchange.
            ('esign.approve.wizard', 'default_get', [['signer_id', 'envelope_id']],
             {'context': {'default_signer_id': signer.id}}),
            ('esign.cancel.wizard', 'default_get', [['envelope_id']],
             {'context': {'default_envelope_id': self.envelope.id}}),
            ('esign.approve.wizard', 'onchange', [[], {'signer_id': signer.id}, ['signer_id'], {
                'signer_id': {'fields': {'display_name': {}}}, 'envelope_id': {'fields': {'display_name': {}}},
                'line_ids': {'fields': {'label': {}, 'document_name': {}}}}], {}),
            ('esign.decline.wizard', 'onchange', [[], {'signer_id': signer.id}, ['signer_id'], {
                'signer_id': {'fields': {'display_name': {}}}, 'envelope_id': {'fields': {'display_name': {}}}}],
             {}),
            ('esign.approve.wizard.line', 'onchange', [[], {'field_id': text_field.id}, ['field_id'], {
                'field_id': {'fields': {'display_name': {}}}, 'label': {}, 'document_name': {}}], {}),
        ]
        for model, method, args, kwargs in attacks:
            with self.subTest(model=model, method=method):
                error = self.assert_rpc_refused(model, method, args, kwargs, errors=ACCESS_ERROR)
                self.assert_reveals_nothing(error)
        # An id that does not exist gets the same answer as one of another company.
        missing = self.assert_rpc_refused('esign.approve.wizard', 'create', [{'signer_id': 999999}],
                                          errors=ACCESS_ERROR)
        refused = self.assert_rpc_refused('esign.approve.wizard', 'create', [{'signer_id': signer.id}],
                                          errors=ACCESS_ERROR)
        self.assertEqual(missing['message'], refused['message'])
        self.assertEqual(self.wizard_counts(), before)
        self.assertEqual((self.envelope.state, signer.state), ('sent', 'invited'))

    def test_a_wizard_is_read_by_its_creator_only(self):
        wizard = self.env['esign.approve.wizard'].with_user(self.approver).create(
            {'signer_id': self.approver_signer().id})
        self.assertTrue(wizard.line_ids)
        for login in ('esign_other_town', 'esign_officer'):
            self.authenticate(login, login)
            with self.subTest(login=login):
                self.assert_rpc_refused('esign.approve.wizard', 'read', [wizard.ids, ['signer_id', 'envelope_id']],
                                        errors=ACCESS_ERROR)
                result, _error = self.call_kw('esign.approve.wizard.line', 'search_read',
                                              [[('wizard_id', '=', wizard.id)], ['label', 'document_name']])
                self.assertEqual(result, [])

    def test_only_the_signer_themself_signs(self):
        signer = self.approver_signer()
        # The sender cannot open the approver's wizard.
        self.authenticate('esign_officer', 'esign_officer')
        error = self.assert_rpc_refused('esign.approve.wizard', 'create', [{'signer_id': signer.id, 'confirmed': True}],
                                        errors=ACCESS_ERROR)
        self.assertIn('Only the signer themself', error['message'])
        self.assert_rpc_refused('esign.decline.wizard', 'create', [{'signer_id': signer.id, 'reason': 'No'}],
                                errors=ACCESS_ERROR)
        self.assertEqual(signer.state, 'invited')
        # Nor can the user of the contact sign when the request went to another
        # address: that address's owner is the signer.
        invited = signer.invited_email
        signer.sudo().invited_email = 'someone.else@example.com'
        self.authenticate('approver@demo-city.example', 'approver@demo-city.example')
        self.assert_rpc_refused('esign.approve.wizard', 'create', [{'signer_id': signer.id, 'confirmed': True}],
                                errors=ACCESS_ERROR)
        self.assertEqual(signer.state, 'invited')
        # The approver, invited at their own address, signs over RPC as the web client does.
        signer.sudo().invited_email = invited
        wizard_id, error = self.call_kw('esign.approve.wizard', 'create', [{'signer_id': signer.id, 'confirmed': True}])
        self.assertIsNone(error)
        _result, error = self.call_kw('esign.approve.wizard', 'action_sign', [[wizard_id]])
        self.assertIsNone(error)
        self.assertEqual(signer.state, 'signed')
