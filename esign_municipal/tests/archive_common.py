"""Shared by the archive tests: the envelope test bed (loopback PKI and TSA,
witness key in custody) plus the archive's roles, a TSA record for the
archive's own timestamps, and helpers to complete envelopes and to place
contracts in the archive."""
import base64
import re

from cryptography.hazmat.primitives import serialization

from odoo.tests.common import new_test_user

from ..controllers.archive import PUBLIC_VERIFICATION
from ..tools import archive_guard
from .common import EsignCase, make_pdf

REQUEST = {'ip': '203.0.113.7', 'user_agent': 'Mozilla/5.0 (archive test)', 'auth_method': 'email_link'}


class ArchiveCase(EsignCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only the contracts of the test in the archive: the demo data's completed
        # envelope and its contract are set aside inside the test's transaction,
        # which is rolled back (archived contracts cannot be deleted through the ORM).
        cls.env.flush_all()
        cls.env.cr.execute('DELETE FROM esign_contract')
        cls.env.cr.execute("DELETE FROM esign_envelope WHERE state = 'completed'")
        cls.env.invalidate_all()
        cls.auditor = new_test_user(cls.env, 'esign_archive_auditor', groups='esign_municipal.group_esign_auditor',
                                    name='Auditor Kato')
        cls.manager = new_test_user(cls.env, 'esign_archive_manager', groups='esign_municipal.group_esign_manager',
                                    name='Manager Ito')
        cls.admin = cls.env.ref('base.user_admin')
        root_pem = cls.pki.root.cert.public_bytes(serialization.Encoding.PEM).decode()
        # The archive's own timestamps (registration, renewal) go through esign_timestamp's TSA records.
        cls.env['esign.tsa'].search([]).write({'active': False})
        cls.tsa_record = cls.env['esign.tsa'].create({
            'name': 'Loopback TSA', 'kind': 'http', 'url': cls.tsa_server.url, 'trust_roots_pem': root_pem,
            'timeout': 5.0})
        cls.contract_type = cls.env.ref('esign_municipal.contract_type_outsourcing')

    # -- envelopes ----------------------------------------------------------------------------

    def complete_envelope(self, documents=None, **values):
        """An envelope sent by the officer and signed by the contractor (portal
        link) then the approver (back office): completed, archived."""
        values.setdefault('transaction_date', '2026-04-01')
        values.setdefault('amount', 1200000)
        values.setdefault('partner_id', self.vendor.id)
        values.setdefault('contract_type_id', self.contract_type.id)
        values.setdefault('department', '総務課')
        envelope = self.create_envelope(documents=documents or {'Contract': 1}, **values)
        envelope.with_user(self.officer).action_send()
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        self.assertTrue(contractor._complete_signing({}, REQUEST))
        self.assertTrue(approver.with_user(self.approver)._complete_signing(
            {}, {'ip': '198.51.100.20', 'user_agent': 'Mozilla/5.0 (back office)', 'auth_method': 'backoffice'}))
        self.assertEqual(envelope.state, 'completed')
        return envelope

    # -- contracts placed directly (search tests need no PDF) ---------------------------------------

    @classmethod
    def make_contract(cls, number, **values):
        self = cls
        Contract = self.env['esign.contract']
        now = '2026-04-01 00:00:00'
        with archive_guard.unlocked(archive_guard.ARCHIVING):
            return Contract.sudo().create(dict({
                'number': number, 'name': f'Contract {number}', 'source': 'registered', 'archived_at': now,
                'retention_until': '2036-04-01', 'user_id': self.officer.id, 'company_id': self.company.id,
            }, **values))

    def register(self, user=None, files=None, **values):
        """A contract registered through the wizard, with a real timestamp."""
        attachments = self.env['ir.attachment'].with_user(user or self.officer).create([
            {'name': name, 'datas': base64.b64encode(data), 'res_model': 'esign.contract.register.wizard',
             'res_id': 0} for name, data in (files or [('paper-contract.pdf', make_pdf('Paper contract'))])])
        wizard = self.env['esign.contract.register.wizard'].with_user(user or self.officer).create(dict({
            'name': 'Road maintenance 2026', 'transaction_date': '2026-03-15', 'amount': 880000,
            'partner_id': self.vendor.id, 'contract_type_id': self.contract_type.id,
            'attachment_ids': [(6, 0, attachments.ids)]}, **values))
        action = wizard.action_register()
        return self.env['esign.contract'].browse(action['res_id'])

    def seal(self):
        return self.env['esign.operation.log']._esign_seal()

    def log_of(self, **domain):
        return self.env['esign.operation.log'].sudo().search(
            [(key, '=', value) for key, value in domain.items()], order='id')


class VerificationPageMixin:
    """The public verification page (/esign/verify) as a browser uses it, and what it leaves behind."""

    def enable(self, on=True):
        self.env['ir.config_parameter'].sudo().set_param(PUBLIC_VERIFICATION, 'True' if on else 'False')

    def verify(self, data, name='contract.pdf'):
        page = self.url_open('/esign/verify?lang=en_US')
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.opener.post(f'{self.base_url()}/esign/verify?lang=en_US', data={'csrf_token': token},
                                files={'pdf': (name, data)}, timeout=120)

    def state(self):
        self.env.invalidate_all()
        return {
            'log': self.env['esign.operation.log'].sudo().search_count([]),
            'counted': sum(self.env['esign.public.verification.count'].sudo().search([]).mapped('count')),
            'throttle': self.env['esign.portal.throttle'].sudo().search_read([('key', 'like', 'verify_ip:%')],
                                                                            ['key', 'count']),
        }
