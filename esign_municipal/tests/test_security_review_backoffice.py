"""Back-office attacks of the security review, made as the attacker makes
them: a logged-in staff user (the envelope's sender, an auditor) calling
/web/dataset/call_kw and the report routes over HTTP with their session."""
import base64
import datetime

from odoo import Command, fields, http
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from ..engine.jst import end_of_day_utc
from .archive_common import ArchiveCase
from .common import make_pdf
from .rpc_common import RpcAttackMixin
from .signer_security_common import SignerSecurityCase

USER_ERROR = ('odoo.exceptions.UserError',)
ACCESS_ERROR = ('odoo.exceptions.AccessError',)
FORGED_TIME = '2026-01-05 09:00:00'


@tagged('post_install', '-at_install')
class TestFlowFieldDefaults(RpcAttackMixin, HttpCase, ArchiveCase):
    """The context of an RPC call is the client's: its `default_<field>` keys
    (and the user's own ir.default records) never set what only the signing
    and archiving flow sets, although Odoo adds them after create()'s checks
    of the values."""

    def setUp(self):
        super().setUp()
        self.draft = self.create_envelope(documents={'Contract': 1}, name='Road repair 2026')
        # Another user's envelope: its file is the blob the attacker names.
        self.victim = self.create_envelope(user=self.approver, documents={'Confidential': 1}, signers=[],
                                           name='Land purchase')
        self.victim_blob = self.victim.document_ids.sudo().original_blob_id
        self.assertTrue(self.victim_blob)
        self.authenticate('esign_officer', 'esign_officer')

    def create_as_officer(self, model, values, context):
        record_id, error = self.call_kw(model, 'create', [values], {'context': context})
        self.assertIsNone(error, error)
        return self.env[model].browse(record_id)

    def test_document_takes_no_blob_from_the_context(self):
        document = self.create_as_officer('esign.document', {'envelope_id': self.draft.id, 'name': 'Annex'}, {
            'default_original_blob_id': self.victim_blob.id, 'default_current_blob_id': self.victim_blob.id,
            'default_page_count': 7})
        self.assertFalse(document.sudo().original_blob_id)
        self.assertFalse(document.sudo().current_blob_id)
        self.assertEqual(document.page_count, 0)
        self.assertFalse(document.has_file)
        # Nothing of the victim's file comes back by the document's download route.
        response = self.url_open(f'/esign/document/{document.id}/original')
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b'%PDF', response.content)
        self.assertEqual(self.victim.document_ids.sudo().original_blob_id, self.victim_blob)

    def test_signer_takes_no_flow_field_from_the_context(self):
        signer = self.create_as_officer('esign.signer', {
            'envelope_id': self.draft.id, 'partner_id': self.vendor.id, 'signing_order': 3}, {
            'default_state': 'signed', 'default_invited_email': 'officer@demo-city.example',
            'default_auth_method': 'backoffice', 'default_signed_at': FORGED_TIME,
            'default_signed_ip': '192.0.2.1', 'default_user_id': self.officer.id})
        self.assertRecordValues(signer, [{
            'state': 'waiting', 'invited_email': False, 'auth_method': False, 'signed_at': False,
            'signed_ip': False, 'user_id': False, 'envelope_id': self.draft.id}])

    def test_signer_takes_no_flow_field_from_a_personal_default(self):
        """ir.default records of one's own are open to every user (Odoo's rule "alter personal defaults")."""
        for field_name, value in (('state', 'signed'), ('invited_email', 'officer@demo-city.example'),
                                  ('auth_method', 'backoffice')):
            _result, error = self.call_kw('ir.default', 'set', ['esign.signer', field_name, value],
                                          {'user_id': True})
            self.assertIsNone(error, error)
        signer = self.create_as_officer('esign.signer', {
            'envelope_id': self.draft.id, 'partner_id': self.vendor.id, 'signing_order': 3}, {})
        self.assertRecordValues(signer, [{'state': 'waiting', 'invited_email': False, 'auth_method': False}])

    def test_signer_user_is_the_contacts_not_the_clients(self):
        """The internal user of a signer decides, with the address invited, who may sign logged in."""
        signer = self.draft.signer_ids.filtered(lambda s: s.partner_id == self.contractor)
        self.assert_rpc_refused('esign.signer', 'write', [signer.ids, {'user_id': self.officer.id}],
                                errors=USER_ERROR, message='cannot be set by hand')
        self.assertFalse(signer.user_id)

    def test_envelope_starts_as_a_draft_whatever_the_context(self):
        envelope = self.create_as_officer('esign.envelope', {'name': 'Forged'}, {
            'default_state': 'completed', 'default_send_queued': True, 'default_completed_at': FORGED_TIME,
            'default_sent_at': FORGED_TIME, 'default_number': '0000000001', 'default_finalize_pending': True,
            'default_signing_revision': 9, 'default_audit_certificate_blob_id': self.victim_blob.id})
        self.assertRecordValues(envelope, [{
            'state': 'draft', 'send_queued': False, 'completed_at': False, 'sent_at': False,
            'finalize_pending': False, 'signing_revision': 0, 'has_audit_certificate': False}])
        self.assertNotEqual(envelope.number, '0000000001')
        self.assertFalse(envelope.sudo().audit_certificate_blob_id)
        self.assertEqual(self.url_open(f'/esign/audit-certificate/{envelope.id}').status_code, 404)

    def test_envelope_certificate_is_not_given_in_the_values(self):
        """The audit certificate's file is the flow's like the status: refused in the values as well."""
        count = self.env['esign.envelope'].sudo().search_count([])
        self.assert_rpc_refused('esign.envelope', 'create', [{
            'name': 'Forged', 'audit_certificate_blob_id': self.victim_blob.id}], errors=USER_ERROR,
            message='always starts as a draft')
        self.assert_rpc_refused('esign.envelope', 'write', [self.draft.ids, {
            'audit_certificate_blob_id': self.victim_blob.id}], errors=USER_ERROR)
        self.assertEqual(self.env['esign.envelope'].sudo().search_count([]), count)
        self.assertFalse(self.draft.sudo().audit_certificate_blob_id)

    def test_envelope_takes_no_order_files_to_remove_from_the_client(self):
        """Sending deletes the files of this list as superuser: only the purchase wizard's flow fills it."""
        victim = self.env['ir.attachment'].create({'name': 'Minutes.pdf', 'raw': make_pdf('Minutes'),
                                                   'res_model': 'res.partner', 'res_id': self.vendor.id})
        forged = self.create_as_officer('esign.envelope', {'name': 'Forged'}, {
            'default_move_order_attachment_ids': [Command.set(victim.ids)]})
        self.assertFalse(forged.sudo().move_order_attachment_ids)
        count = self.env['esign.envelope'].sudo().search_count([])
        self.assert_rpc_refused('esign.envelope', 'create', [{
            'name': 'Forged', 'move_order_attachment_ids': [Command.set(victim.ids)]}], errors=USER_ERROR)
        self.assert_rpc_refused('esign.envelope', 'write', [self.draft.ids, {
            'move_order_attachment_ids': [Command.link(victim.id)]}], errors=USER_ERROR)
        self.assertEqual(self.env['esign.envelope'].sudo().search_count([]), count)
        _result, error = self.call_kw('esign.envelope', 'action_send', [self.draft.ids])
        self.assertIsNone(error, error)
        self.env.invalidate_all()
        self.assertEqual(self.draft.state, 'sent')
        self.assertFalse(self.draft.sudo().move_order_attachment_ids)
        self.assertTrue(victim.exists())

    def test_registration_takes_no_archive_field_from_the_context(self):
        """The archiving creates the contract, and its documents as superuser, in the caller's context."""
        completed = self.complete_envelope(name='Bridge inspection')
        upload = self.env['ir.attachment'].with_user(self.officer).create({
            'name': 'paper-contract.pdf', 'raw': make_pdf('Paper contract'),
            'res_model': 'esign.contract.register.wizard', 'res_id': 0})
        wizard_id, error = self.call_kw('esign.contract.register.wizard', 'create', [{
            'name': 'Road maintenance 2026', 'attachment_ids': [Command.set(upload.ids)]}])
        self.assertIsNone(error, error)
        forged = {
            'default_verification_state': 'valid', 'default_verified_at': FORGED_TIME,
            'default_envelope_id': completed.id, 'default_source': 'envelope', 'default_retention_until': '2099-12-31',
            'default_document_id': completed.document_ids.id, 'default_blob_id': self.victim_blob.id,
            'default_renewal_count': 4, 'default_verification_message': 'valid'}
        action, error = self.call_kw('esign.contract.register.wizard', 'action_register', [[wizard_id]],
                                     {'context': forged})
        self.assertIsNone(error, error)
        contract = self.env['esign.contract'].browse(action['res_id'])
        self.assertRecordValues(contract, [{
            'verification_state': 'unverified', 'verified_at': False, 'envelope_id': False,
            'source': 'registered'}])
        self.assertLess(contract.retention_until.year, 2099)
        document = contract.document_ids
        self.assertEqual(len(document), 1)
        self.assertRecordValues(document, [{
            'verification_state': 'unverified', 'verified_at': False, 'document_id': False,
            'renewal_count': 0, 'verification_message': False}])
        self.assertNotEqual(document.blob_id, self.victim_blob)
        self.assertEqual(document._read_pdf()[:5], b'%PDF-')
        self.assertEqual(completed.contract_ids.source, 'envelope')

    def test_operation_log_takes_no_place_in_the_chain_from_the_context(self):
        """Sending logs as superuser in the sender's context: a row given a place would never be sealed."""
        _result, error = self.call_kw('esign.envelope', 'action_send', [self.draft.ids], {'context': {
            'default_chain_seq': 999999, 'default_prev_hash': 'forged', 'default_entry_hash': 'forged'}})
        self.assertIsNone(error, error)
        self.assertEqual(self.draft.state, 'sent')
        rows = self.env['esign.operation.log'].sudo().search([('envelope_ref', '=', self.draft.id)])
        self.assertTrue(rows)
        self.assertFalse(any(rows.mapped('chain_seq')), 'a row was placed in the chain by the client')
        self.seal()
        result, unsealed = self.env['esign.operation.log']._esign_verify_chain()
        self.assertTrue(result.intact, result.first_break)
        self.assertEqual(unsealed, 0)
        self.assertNotIn('forged', rows.mapped('entry_hash'))

    def test_the_views_defaults_still_work(self):
        """What the forms send: the envelope of a new signer or document, and ordinary field defaults."""
        signer = self.create_as_officer('esign.signer', {'partner_id': self.vendor.id}, {
            'default_envelope_id': self.draft.id, 'default_signing_order': 4, 'default_role': 'municipality'})
        self.assertRecordValues(signer, [{'envelope_id': self.draft.id, 'signing_order': 4,
                                          'role': 'municipality', 'state': 'waiting'}])
        document = self.create_as_officer('esign.document', {'name': 'Annex'}, {
            'default_envelope_id': self.draft.id,
            'default_pdf_upload': base64.b64encode(make_pdf('Annex')).decode()})
        self.assertEqual(document.envelope_id, self.draft)
        self.assertTrue(document.has_file)
        envelope = self.create_as_officer('esign.envelope', {}, {
            'default_name': 'From the context', 'default_signing_mode': 'parallel'})
        self.assertRecordValues(envelope, [{'name': 'From the context', 'signing_mode': 'parallel',
                                            'state': 'draft'}])


@tagged('post_install', '-at_install')
class TestFlowFieldDefaultsOfLinksAndCodes(SignerSecurityCase):
    """The link tokens and one-time codes are created as superuser for whoever
    sends or asks. Odoo's sudo() drops the `default_<field>` keys of a user's
    context, but keeps the user, hence their personal ir.default records, and
    code already running as superuser (a cron, a server action) keeps its keys:
    none of them changes a token or a code. The contractor's link opens until
    the envelope's expiry, a code locks after the tries of Settings."""

    FORGED_TOKEN = {'revoked_at': FORGED_TIME, 'expires_at': '2020-01-01 00:00:00', 'token_hash': 'forged',
                    'scope': 'download'}
    FORGED_CODE = {'attempts': -1000000, 'state': 'used', 'expires_at': '2099-12-31 00:00:00',
                   'requested_ip': '192.0.2.66', 'code_hash': 'forged', 'salt': 'forged'}

    def set_personal_defaults(self, model, values):
        """As the logged-in user, over RPC: ir.default records of one's own are open to every user."""
        for field_name, value in values.items():
            self.assertEqual(self.rpc('ir.default', 'set', model, field_name, value, user_id=True), (True, None))

    def send_as_officer(self, context=None):
        envelope = self.create_envelope(documents={'Contract': 1})
        self.assertEqual(self.rpc('esign.envelope', 'action_send', [envelope.id], context=context), (True, None))
        self.env.invalidate_all()
        self.assertEqual(envelope.state, 'sent')
        return envelope

    def assert_link_opens(self, envelope):
        signer = envelope.signer_ids.sorted('signing_order')[0]
        token = signer.sudo().access_token_ids
        self.assertRecordValues(token, [{'scope': 'sign', 'revoked_at': False,
                                         'expires_at': end_of_day_utc(envelope.expiry_date)}])
        self.assertEqual(self.find_by_token(*self.link_token(self.mails_to(signer)[-1])), signer)
        self.new_browser()
        page = self.open(self.sign_path(signer))
        self.assertEqual(page.status_code, 200)
        self.assertIn('o_esign_sign', page.text)

    def test_token_takes_nothing_from_a_context(self):
        forged = {f'default_{name}': value for name, value in self.FORGED_TOKEN.items()}
        self.authenticate('esign_officer', 'esign_officer')
        self.assert_link_opens(self.send_as_officer(forged))
        envelope = self.create_envelope(documents={'Contract': 1})
        envelope.sudo().with_context(**forged).action_send()
        self.assert_link_opens(envelope)

    def test_token_takes_nothing_from_the_senders_personal_defaults(self):
        self.authenticate('esign_officer', 'esign_officer')
        self.set_personal_defaults('esign.access.token', self.FORGED_TOKEN)
        envelope = self.send_as_officer()
        self.assert_link_opens(envelope)

    def assert_code_as_configured(self, signer, before):
        code = signer._esign_otp_current()
        validity = datetime.timedelta(minutes=signer._esign_otp_settings()['minutes'])
        self.assertRecordValues(code, [{'attempts': 0, 'state': 'active'}])
        self.assertNotEqual(code.code_hash, 'forged')
        self.assertTrue(before + validity <= code.expires_at <= fields.Datetime.now() + validity)
        self.assertNotEqual(code.requested_ip, '192.0.2.66')
        return code

    def test_code_takes_nothing_from_a_context(self):
        """Asked as the portal asks (the visitor's user, then the signer as superuser), and by code already
        running as superuser."""
        _envelope, signer, _approver = self.send_envelope(otp=True, lang='en_US')
        forged = {f'default_{name}': value for name, value in self.FORGED_CODE.items()}
        here = {'ip': '198.51.100.20', 'auth_method': 'email_link'}
        for asking in (signer.with_user(self.env.ref('base.public_user')), signer.sudo()):
            with self.subTest(superuser=asking.env.su):
                before = fields.Datetime.now()
                self.assertEqual(asking.with_context(**forged)._esign_otp_send(here), 'sent')
                self.assert_code_as_configured(signer, before)
                self.assertEqual(signer._esign_otp_verify(self.last_code(signer), here), ('ok', 0))

    def test_code_asked_by_a_logged_in_user_takes_nothing_from_their_personal_defaults(self):
        """A staff member holding a forwarded link, logged in, gives codes unlimited tries by a personal
        default: the code still locks after the tries of Settings."""
        _envelope, signer, _approver = self.send_envelope(otp=True, lang='en_US')
        path = self.sign_path(signer)
        self.authenticate('esign_officer', 'esign_officer')
        self.set_personal_defaults('esign.signer.otp', self.FORGED_CODE)
        self.keep_rotated_session(self.open(path, allow_redirects=False))
        page = self.open(f'/esign/sign/{signer.id}')
        self.assertIn('o_esign_otp', page.text)
        csrf = self.csrf(page)
        before = fields.Datetime.now()
        self.assertEqual(self.post(f'/esign/sign/{signer.id}/otp/send', {'csrf_token': csrf}).status_code, 303)
        code = self.assert_code_as_configured(signer, before)
        right = self.last_code(signer)
        wrong = f'{(int(right) + 1) % 10 ** len(right):0{len(right)}d}'
        for _attempt in range(signer._esign_otp_settings()['attempts']):
            self.post(f'/esign/sign/{signer.id}/otp/verify', {'code': wrong, 'csrf_token': csrf})
        code.invalidate_recordset()
        self.assertEqual(code.state, 'locked')
        self.assertEqual(signer._esign_otp_verify(right, {'ip': '198.51.100.20'}), ('locked', 0))


@tagged('post_install', '-at_install')
class TestWizardsBelongToTheirCreator(RpcAttackMixin, HttpCase, ArchiveCase):
    """The signature report is written by the verification alone (it is shown
    as HTML, unsanitized), and every wizard of the addon is read and changed
    by whoever opened it only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.auditor_b = new_test_user(cls.env, 'esign_archive_auditor_b',
                                      groups='esign_municipal.group_esign_auditor', name='Auditor Mori')
        cls.manager_b = new_test_user(cls.env, 'esign_archive_manager_b',
                                      groups='esign_municipal.group_esign_manager', name='Manager Abe')

    def test_client_cannot_write_the_report(self):
        script = '<script>alert(document.cookie)</script>'
        self.authenticate('esign_officer', 'esign_officer')
        count = self.env['esign.verify.wizard'].sudo().search_count([])
        self.assert_rpc_refused('esign.verify.wizard', 'create', [{'report_html': script}], errors=USER_ERROR,
                                message='cannot be set by hand')
        self.assert_rpc_refused('esign.verify.wizard', 'create', [{'verdict': 'valid'}], errors=USER_ERROR)
        self.assertEqual(self.env['esign.verify.wizard'].sudo().search_count([]), count)
        # By the context, the wizard opens without a report.
        wizard_id, error = self.call_kw('esign.verify.wizard', 'create', [{}], {'context': {
            'default_report_html': script, 'default_verdict': 'valid'}})
        self.assertIsNone(error, error)
        wizard = self.env['esign.verify.wizard'].browse(wizard_id)
        self.assertFalse(wizard.report_html)
        self.assertFalse(wizard.verdict)
        for values in ({'report_html': script}, {'verdict': 'valid'}, {'report_html': script, 'filename': 'x.pdf'}):
            with self.subTest(values=values):
                self.assert_rpc_refused('esign.verify.wizard', 'write', [[wizard_id], values], errors=USER_ERROR)
        self.assertFalse(wizard.report_html)
        self.assertFalse(wizard.filename)

    def test_the_verification_still_writes_its_report(self):
        self.authenticate('esign_officer', 'esign_officer')
        wizard_id, _error = self.call_kw('esign.verify.wizard', 'create', [{
            'pdf_file': base64.b64encode(make_pdf('Unsigned')).decode(), 'filename': 'unsigned.pdf'}])
        _action, error = self.call_kw('esign.verify.wizard', 'action_verify', [[wizard_id]])
        self.assertIsNone(error, error)
        wizard = self.env['esign.verify.wizard'].browse(wizard_id)
        self.assertTrue(wizard.report_html)
        self.assertTrue(wizard.verdict)
        self.assertNotIn('<script', str(wizard.report_html))

    def wizards(self):
        """(model, creator, another user of the same role, values, a change) of every wizard of the addon."""
        envelope = self.create_envelope(documents={'Contract': 1}, name='Road repair 2026')
        template = self.env['esign.template'].with_user(self.manager).create({'name': 'Outsourcing'})
        contract = self.make_contract('R-0001')
        return [
            ('esign.verify.wizard', self.officer, self.approver, {'filename': 'mine.pdf'}, {'filename': 'x.pdf'}),
            ('esign.verify.wizard', self.auditor, self.auditor_b, {'filename': 'mine.pdf'}, {'filename': 'x.pdf'}),
            ('esign.template.apply.wizard', self.officer, self.approver,
             {'envelope_id': envelope.id, 'template_id': template.id}, {'envelope_id': envelope.id}),
            ('esign.contract.search.wizard', self.officer, self.approver, {'text': 'land purchase'}, {'text': 'x'}),
            ('esign.contract.search.wizard', self.auditor, self.auditor_b, {'text': 'land purchase'},
             {'text': 'x'}),
            ('esign.archive.verify.wizard', self.auditor, self.auditor_b,
             {'date_from': '2026-01-01', 'date_to': '2026-03-31'}, {'date_from': '2026-02-01'}),
            ('esign.archive.export.wizard', self.auditor, self.auditor_b, {'include_log': False},
             {'include_log': True}),
            ('esign.contract.correct.wizard', self.manager, self.manager_b, {
                'contract_id': contract.id, 'name': 'Renamed', 'currency_id': contract.currency_id.id,
                'reason': 'Typo'}, {'reason': 'Mine now'}),
        ]

    def test_another_user_cannot_read_or_change_a_wizard(self):
        for model, creator, other, values, change in self.wizards():
            with self.subTest(model=model, creator=creator.login):
                wizard = self.env[model].with_user(creator).create(values)
                snapshot = wizard.sudo().read(list(values))
                self.authenticate(other.login, other.login)
                self.assert_rpc_refused(model, 'read', [wizard.ids, list(values)], errors=ACCESS_ERROR)
                self.assert_rpc_refused(model, 'web_read', [wizard.ids], {'specification': {'display_name': {}}},
                                        errors=ACCESS_ERROR)
                self.assert_rpc_refused(model, 'write', [wizard.ids, change], errors=ACCESS_ERROR)
                self.assert_rpc_refused(model, 'unlink', [wizard.ids], errors=ACCESS_ERROR)
                found, error = self.call_kw(model, 'search', [[]])
                self.assertIsNone(error, error)
                self.assertNotIn(wizard.id, found)
                self.assertTrue(wizard.exists())
                self.assertEqual(wizard.sudo().read(list(values)), snapshot)
                # Its creator still opens it.
                self.authenticate(creator.login, creator.login)
                rows, error = self.call_kw(model, 'read', [wizard.ids, list(values)])
                self.assertIsNone(error, error)
                self.assertEqual([row['id'] for row in rows], wizard.ids)

    def test_another_auditor_gets_no_failure_lines(self):
        wizard = self.env['esign.archive.verify.wizard'].with_user(self.auditor).create({})
        contract = self.register()
        line = self.env['esign.archive.verify.line'].with_user(self.auditor).create({
            'wizard_id': wizard.id, 'document_id': contract.document_ids.id, 'problem': 'Hash mismatch'})
        self.authenticate(self.auditor_b.login, self.auditor_b.login)
        self.assert_rpc_refused('esign.archive.verify.line', 'read', [line.ids, ['problem']], errors=ACCESS_ERROR)
        found, _error = self.call_kw('esign.archive.verify.line', 'search', [[]])
        self.assertNotIn(line.id, found)


@tagged('post_install', '-at_install')
class TestAuditCertificateIsTheStoredOne(RpcAttackMixin, HttpCase, ArchiveCase):
    """合意締結証明書: users get the certificate made and timestamped when the
    envelope was completed, never one rendered afresh (without timestamp,
    or for an envelope that is not completed)."""

    REPORT = 'esign_municipal.report_audit_certificate'

    def test_not_in_the_print_menu(self):
        action = self.env.ref('esign_municipal.action_report_audit_certificate')
        self.assertFalse(action.binding_model_id)
        self.authenticate('esign_officer', 'esign_officer')
        views, error = self.call_kw('esign.envelope', 'get_views', [[(False, 'form'), (False, 'list')]],
                                    {'options': {'toolbar': True}})
        self.assertIsNone(error, error)
        for view in views['views'].values():
            printed = [item.get('id') for item in view.get('toolbar', {}).get('print', [])]
            self.assertNotIn(action.id, printed)

    def test_fresh_rendering_refused_stored_certificate_served(self):
        envelope = self.complete_envelope(name='Bridge inspection')
        stored_blob = envelope.sudo().audit_certificate_blob_id
        self.assertTrue(stored_blob)
        stored = envelope._esign_audit_certificate_pdf()
        draft = self.create_envelope(documents={'Contract': 1}, name='Not signed yet')
        for login in ('esign_officer', 'esign_archive_auditor', 'esign_archive_manager'):
            self.authenticate(login, login)
            for record in (envelope, draft):
                for converter in ('pdf', 'html'):
                    with self.subTest(login=login, envelope=record.name, converter=converter):
                        response = self.url_open(f'/report/{converter}/{self.REPORT}/{record.id}')
                        self.assertEqual(response.status_code, 403)
                        self.assertNotIn(b'%PDF', response.content)
                        self.assertNotIn(record.number.encode(), response.content)
        # The Print menu's route (/report/download) answers with the error, not a file.
        self.authenticate('esign_officer', 'esign_officer')
        response = self.url_open('/report/download', data={
            'data': f'["/report/pdf/{self.REPORT}/{envelope.id}", "qweb-pdf"]',
            'csrf_token': self.csrf_token()})
        self.assertNotIn(b'%PDF', response.content)
        self.assertNotEqual(response.headers.get('Content-Type'), 'application/pdf')
        # The envelope's "Audit certificate" button: the stored file, unchanged.
        action, error = self.call_kw('esign.envelope', 'action_download_audit_certificate', [envelope.ids])
        self.assertIsNone(error, error)
        response = self.url_open(action['url'])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, stored)
        self.assertEqual(envelope.sudo().audit_certificate_blob_id, stored_blob)

    def csrf_token(self):
        return http.Request.csrf_token(self)
