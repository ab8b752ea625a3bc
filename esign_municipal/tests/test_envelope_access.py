from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import EsignCase


@tagged('post_install', '-at_install')
class TestEnvelopeAccess(EsignCase):
    """Who sees and changes which envelope: the whole matrix, multi-company included."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env['res.company'].create({'name': 'Other Town'})
        cls.colleague = new_test_user(cls.env, 'esign_colleague', groups='esign_municipal.group_esign_user')
        cls.manager = new_test_user(cls.env, 'esign_mgr', groups='esign_municipal.group_esign_manager',
                                    company_ids=[(6, 0, (cls.env.company | cls.other_company).ids)])
        cls.manager_here = new_test_user(cls.env, 'esign_mgr_here', groups='esign_municipal.group_esign_manager')
        cls.auditor = new_test_user(cls.env, 'esign_aud', groups='esign_municipal.group_esign_auditor')
        cls.employee = new_test_user(cls.env, 'plain_emp', groups='base.group_user')
        cls.portal = new_test_user(cls.env, 'portal_user', groups='base.group_portal')
        cls.other_officer = new_test_user(cls.env, 'esign_other_town', groups='esign_municipal.group_esign_user',
                                          company_id=cls.other_company.id,
                                          company_ids=[(6, 0, cls.other_company.ids)])

    def setUp(self):
        super().setUp()
        self.mine = self.create_envelope(documents={'Contract': 1})
        self.followed = self.create_envelope(user=self.colleague, documents={'Contract': 1}, name='Followed')
        self.followed.with_user(self.colleague).message_subscribe(partner_ids=self.officer.partner_id.ids)
        self.colleagues = self.create_envelope(user=self.colleague, documents={'Contract': 1}, name='Not mine')
        self.elsewhere = self.env['esign.envelope'].with_user(self.other_officer).create(
            {'name': 'Other town contract', 'company_id': self.other_company.id})
        self.all = self.mine | self.followed | self.colleagues | self.elsewhere

    def visible(self, user, model='esign.envelope', records=None):
        records = records or self.all
        return self.env[model].with_user(user).search([('id', 'in', records.ids)])

    def test_read_matrix(self):
        expected = {
            self.officer: self.mine | self.followed,
            self.colleague: self.followed | self.colleagues,
            self.manager: self.all,
            self.manager_here: self.mine | self.followed | self.colleagues,
            self.auditor: self.mine | self.followed | self.colleagues,
            self.other_officer: self.elsewhere,
        }
        for user, envelopes in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(self.visible(user), envelopes)
                # Documents, signers and fields follow their envelope.
                self.assertEqual(self.visible(user, 'esign.document', self.all.document_ids).envelope_id,
                                 envelopes.filtered('document_ids'))
                self.assertEqual(self.visible(user, 'esign.signer', self.all.signer_ids).envelope_id,
                                 envelopes.filtered('signer_ids'))
                self.assertEqual(self.visible(user, 'esign.field', self.all.field_ids).envelope_id,
                                 envelopes.filtered('field_ids'))
        for user in (self.employee, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env['esign.envelope'].with_user(user).search([])

    def test_no_reading_what_one_cannot_see(self):
        for user, envelope in ((self.officer, self.colleagues), (self.other_officer, self.mine),
                               (self.colleague, self.mine), (self.auditor, self.elsewhere)):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                envelope.with_user(user).read(['name'])
            with self.subTest(user=user.login, part='document'), self.assertRaises(AccessError):
                envelope.document_ids[:1].with_user(user).read(['name']) if envelope.document_ids else \
                    envelope.with_user(user).check_access('read')

    def test_write_matrix(self):
        self.mine.with_user(self.officer).write({'department': 'Purchasing'})
        self.colleagues.with_user(self.manager).write({'department': 'General affairs'})
        self.elsewhere.with_user(self.manager).write({'department': 'Other town'})
        for user, envelope in ((self.officer, self.colleagues), (self.auditor, self.mine),
                               (self.other_officer, self.mine), (self.manager_here, self.elsewhere)):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                envelope.with_user(user).write({'department': 'x'})
        with self.assertRaises(AccessError):
            self.env['esign.envelope'].with_user(self.auditor).create({'name': 'Auditor envelope'})
        with self.assertRaises(AccessError):
            self.mine.with_user(self.auditor).action_send()
        with self.assertRaises(AccessError):
            self.colleagues.with_user(self.officer).action_send()
        with self.assertRaises(AccessError):
            self.colleagues.with_user(self.officer)._esign_cancel('not mine')

    def test_cannot_create_in_another_company(self):
        with self.assertRaises(AccessError):
            self.env['esign.envelope'].with_user(self.officer).create(
                {'name': 'Sneaky', 'company_id': self.other_company.id})

    def test_internal_approver_sees_the_envelope_once_asked(self):
        envelope = self.create_envelope(user=self.colleague, documents={'Contract': 1}, mode='parallel')
        self.assertFalse(self.visible(self.approver, records=envelope))
        envelope.with_user(self.colleague).action_send()
        self.assertEqual(self.visible(self.approver, records=envelope), envelope)
        activity = envelope.activity_ids.filtered(lambda a: a.user_id == self.approver)
        self.assertEqual(len(activity), 1, 'the approver has a to-do')

    def test_signing_closes_the_signing_to_do_only(self):
        """The approver's other activities on the envelope (here a warning about an undelivered
        mail, as the flow schedules for the envelope's owner) stay when they sign."""
        # The approver is not the last to sign: completion clears every activity of the envelope.
        envelope = self.create_envelope(user=self.colleague, documents={'Contract': 1}, signers=[
            (self.contractor, 'contractor', 1), (self.approver.partner_id, 'municipality', 2),
            (self.colleague.partner_id, 'municipality', 3)])
        envelope.with_user(self.colleague).action_send()
        contractor, approver, _last = envelope.signer_ids.sorted('signing_order')
        warning = envelope.sudo().activity_schedule(
            'mail.mail_activity_data_warning', user_id=self.approver.id,
            summary='A mail to a signer could not be delivered')
        self.assertTrue(contractor._complete_signing({}, {}))
        todo = envelope.activity_ids.filtered(lambda a: a.user_id == self.approver) - warning
        self.assertEqual(todo.activity_type_id, self.env.ref('esign_municipal.mail_activity_type_sign'))
        self.assertEqual(todo.with_context(lang='ja_JP').activity_type_id.name, '封筒に署名する')
        self.assertTrue(approver.with_user(self.approver)._complete_signing({}, {'auth_method': 'backoffice'}))
        self.assertFalse(todo.exists(), 'the to-do is done')
        self.assertEqual(envelope.activity_ids.filtered(lambda a: a.user_id == self.approver), warning,
                         'the warning is still to be dealt with')

    def test_tokens_and_templates_are_out_of_reach(self):
        self.mine.with_user(self.officer).action_send()
        with self.assertRaises(AccessError):
            self.env['esign.access.token'].with_user(self.officer).search([])
        with self.assertRaises(AccessError):
            self.env['esign.access.token'].with_user(self.manager_here).create(
                {'signer_id': self.mine.signer_ids[0].id, 'scope': 'sign', 'token_hash': 'x',
                 'expires_at': '2099-01-01'})
        self.assertNotIn('access_token', self.env['esign.signer']._fields,
                         'no portal.mixin: no share token to read or mint')
        with self.assertRaises(AccessError):
            self.env['esign.template'].with_user(self.officer).create({'name': 'x'})
        self.env['esign.template'].with_user(self.manager_here).create({'name': 'Standard'})
