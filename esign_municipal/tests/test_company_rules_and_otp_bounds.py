import base64
import re

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from .common import EsignCase, make_pdf
from .rpc_common import RpcAttackMixin

HERE = {'ip': '198.51.100.20', 'auth_method': 'email_link'}
VALIDATION_ERROR = ('odoo.exceptions.ValidationError',)


@tagged('post_install', '-at_install')
class TestCompanyRules(RpcAttackMixin, HttpCase, EsignCase):
    """Templates (with their documents, roles and fields) and the refused
    staff accesses belong to a company: another company's users read none
    of them, whatever they ask over RPC or HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env['res.company'].create({'name': 'Other Town'})
        other = {'company_id': cls.other_company.id, 'company_ids': [(6, 0, cls.other_company.ids)]}
        cls.other_user = new_test_user(cls.env, 'esign_other_user', groups='esign_municipal.group_esign_user',
                                       **other)
        cls.other_auditor = new_test_user(cls.env, 'esign_other_auditor',
                                          groups='esign_municipal.group_esign_auditor', **other)
        cls.auditor = new_test_user(cls.env, 'esign_here_auditor', groups='esign_municipal.group_esign_auditor')
        cls.template = cls.env['esign.template'].create({
            'name': 'Road works NDA', 'company_id': cls.env.company.id,
            'role_ids': [Command.create({'name': 'Road contractor', 'role': 'contractor', 'signing_order': 1})]})
        cls.template_document = cls.env['esign.template.document'].create({
            'template_id': cls.template.id, 'name': 'NDA form', 'pdf_file': base64.b64encode(make_pdf('NDA'))})
        cls.template_field = cls.env['esign.template.field'].create({
            'document_id': cls.template_document.id, 'role_id': cls.template.role_ids.id,
            'field_type': 'signature', 'page': 1})

    def test_templates_of_another_company(self):
        rows = {'esign.template': self.template, 'esign.template.document': self.template_document,
                'esign.template.role': self.template.role_ids, 'esign.template.field': self.template_field}
        self.authenticate('esign_other_user', 'esign_other_user')
        for model, record in rows.items():
            with self.subTest(model=model):
                result, error = self.call_kw(model, 'search_read', [[('id', '=', record.id)], ['display_name']])
                self.assertEqual((result, error), ([], None))
                error = self.assert_rpc_refused(model, 'read', [record.ids, ['display_name']],
                                                errors=('odoo.exceptions.AccessError',))
                self.assertNotIn(record.display_name, error['message'])
        response = self.url_open(f'/web/content/esign.template.document/{self.template_document.id}/pdf_file')
        self.assertIn(response.status_code, (403, 404))
        self.assertNotIn(b'%PDF-', response.content)
        # Their own company's users read them all.
        self.authenticate('esign_officer', 'esign_officer')
        for model, record in rows.items():
            with self.subTest(model=model, user='officer'):
                result, error = self.call_kw(model, 'search_read', [[('id', '=', record.id)], ['id']])
                self.assertEqual(result, [{'id': record.id}])

    def test_refused_accesses_of_another_company(self):
        Refusal = self.env['esign.access.refusal'].sudo()
        refused = Refusal._esign_log_refusal([dict(Refusal._esign_refusal_values('ip', self.officer),
                                                   ip_address='203.0.113.99', path='/odoo')])
        self.assertEqual(refused.company_id, self.env.company)
        log_row = self.env['esign.operation.log'].sudo().search([('event', '=', 'access_refused')], limit=1)
        self.assertEqual(log_row.company_id, self.env.company)
        self.authenticate('esign_other_auditor', 'esign_other_auditor')
        result, _error = self.call_kw('esign.access.refusal', 'search_read', [[], ['login', 'ip_address']])
        self.assertNotIn('esign_officer', str(result))
        self.assert_rpc_refused('esign.access.refusal', 'read', [refused.ids, ['login']],
                                errors=('odoo.exceptions.AccessError',))
        result, _error = self.call_kw('esign.operation.log', 'search_read', [[('id', '=', log_row.id)], ['details']])
        self.assertEqual(result, [])
        self.authenticate('esign_here_auditor', 'esign_here_auditor')
        result, _error = self.call_kw('esign.access.refusal', 'search_read', [[('id', '=', refused.id)], ['login']])
        self.assertEqual(result, [{'id': refused.id, 'login': 'esign_officer'}])


@tagged('post_install', '-at_install')
class TestOtpSettingBounds(RpcAttackMixin, HttpCase, EsignCase):
    """The one-time code has at least 6 digits and allows at most 10 wrong
    entries: Settings refuse less (nothing saved), and values stored some
    other way are brought within the bounds when used."""

    def params(self):
        get = self.env['ir.config_parameter'].sudo().get_param
        return get('esign_municipal.otp_length'), get('esign_municipal.otp_attempts')

    def test_settings_refuse_weak_codes_and_save_nothing(self):
        before = self.params()
        self.authenticate('admin', 'admin')
        for values, message in (({'esign_otp_length': 4}, 'between 6 and 10'),
                                ({'esign_otp_length': 5}, 'between 6 and 10'),
                                ({'esign_otp_attempts': 20}, 'between 1 and 10'),
                                ({'esign_otp_attempts': 11}, 'between 1 and 10')):
            with self.subTest(values=values):
                self.assert_rpc_refused('res.config.settings', 'create', [values], errors=VALIDATION_ERROR,
                                        message=message)
        self.assertEqual(self.params(), before)
        # In Japanese for a Japanese user.
        self.env.ref('base.lang_ja_JP').active = True
        self.env.ref('base.user_admin').lang = 'ja_JP'
        error = self.assert_rpc_refused('res.config.settings', 'create', [{'esign_otp_length': 4}],
                                        kwargs={'context': {'lang': 'ja_JP'}}, errors=VALIDATION_ERROR)
        self.assertIn('6 から 10 の間で指定してください', error['message'])
        # Accepted within the bounds.
        settings_id, error = self.call_kw('res.config.settings', 'create', [{'esign_otp_length': 8,
                                                                             'esign_otp_attempts': 3}])
        self.assertIsNone(error)
        self.call_kw('res.config.settings', 'execute', [[settings_id]])
        self.assertEqual(self.params(), ('8', '3'))

    def test_stored_values_out_of_bounds_are_clamped_when_used(self):
        # An administrator writes the parameters directly, past the Settings' checks.
        self.authenticate('admin', 'admin')
        for key, value in (('esign_municipal.otp_length', '4'), ('esign_municipal.otp_attempts', '20')):
            _result, error = self.call_kw('ir.config_parameter', 'set_param', [key, value])
            self.assertIsNone(error)
        self.assertEqual(self.params(), ('4', '20'))
        envelope = self.create_envelope(documents={'Contract': 1}, mode='parallel')
        envelope.with_user(self.officer).action_send()
        signer = envelope.signer_ids.sorted('signing_order')[0]
        self.assertEqual(signer._esign_otp_settings()['length'], 6)
        self.assertEqual(signer._esign_otp_settings()['attempts'], 10)
        self.assertEqual(signer._esign_otp_send(HERE), 'sent')
        mail = self.mails_to(signer).filtered(lambda m: 'letter-spacing: 6px' in (m.body_html or ''))[-1]
        code = re.search(r'letter-spacing: 6px;">(\d+)</p>', mail.body_html).group(1)
        self.assertEqual(len(code), 6)
        wrong = str((int(code) + 1) % 10 ** 6).zfill(6)
        results = [signer._esign_otp_verify(wrong, HERE)[0] for _attempt in range(10)]
        self.assertEqual(results, ['wrong'] * 9 + ['locked'])
        self.assertEqual(signer._esign_otp_verify(code, HERE), ('locked', 0))
