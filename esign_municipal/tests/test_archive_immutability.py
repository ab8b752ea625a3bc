import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .archive_common import ArchiveCase


@tagged('post_install', '-at_install')
class TestArchiveImmutability(ArchiveCase):
    """After completion nobody changes or deletes documents or metadata through
    the ORM: not a user, a manager, an auditor, an administrator, nor the
    superuser. The one exception is the correction wizard, which leaves a
    correction record; deletion waits for the end of the retention period."""

    def setUp(self):
        super().setUp()
        self.envelope = self.complete_envelope()

    def roles(self):
        return {
            'user': self.env(user=self.officer),
            'auditor': self.env(user=self.auditor),
            'manager': self.env(user=self.manager),
            'admin': self.env(user=self.admin),
            'sudo': self.env(user=self.officer, su=True),
            'superuser': self.env(su=True),
        }

    def attempts(self, env):
        """(what, callable) pairs that must all be refused."""
        envelope = self.envelope.with_env(env)
        contract = envelope.sudo().contract_ids.with_env(env)
        document = envelope.sudo().document_ids[:1].with_env(env)
        archived = contract.sudo().document_ids[:1].with_env(env)
        signer = envelope.sudo().signer_ids[:1].with_env(env)
        field = envelope.sudo().field_ids[:1].with_env(env)
        signed_blob = document.sudo().current_blob_id.with_env(env)
        signed_file = signed_blob.sudo().attachment_id.with_env(env)
        certificate_blob = envelope.sudo().audit_certificate_blob_id.with_env(env)
        certificate = certificate_blob.sudo().attachment_id.with_env(env)
        return [
            ('contract metadata', lambda: contract.write({'amount': 1})),
            ('contract number', lambda: contract.write({'number': 'X'})),
            ('contract deletion', lambda: contract.unlink()),
            ('archived document', lambda: archived.write({'sha256': '0' * 64})),
            ('archived document deletion', lambda: archived.unlink()),
            ('envelope metadata', lambda: envelope.write({'transaction_date': '2020-01-01'})),
            ('envelope state', lambda: envelope.write({'state': 'draft'})),
            ('envelope deletion', lambda: envelope.unlink()),
            ('envelope document', lambda: document.write({'name': 'Other'})),
            ('envelope document deletion', lambda: document.unlink()),
            ('new document in the envelope', lambda: env['esign.document'].create(
                {'envelope_id': envelope.id, 'name': 'Extra'})),
            ('signer evidence', lambda: signer.write({'signed_ip': '10.0.0.1'})),
            ('signer deletion', lambda: signer.unlink()),
            ('field value', lambda: field.write({'value': 'changed'})),
            ('signed PDF ciphertext', lambda: signed_file.write({'raw': b'forged'})),
            ('signed PDF ciphertext deletion', lambda: signed_file.unlink()),
            ('signed PDF blob', lambda: signed_blob.write({'name': 'other.pdf'})),
            ('signed PDF blob deletion', lambda: signed_blob.unlink()),
            ('audit certificate ciphertext', lambda: certificate.write({'datas': ''})),
            ('audit certificate deletion', lambda: certificate_blob.unlink()),
            ('envelope certificate link', lambda: envelope.write({'audit_certificate_blob_id': False})),
        ]

    def test_every_role_is_refused(self):
        contract = self.envelope.contract_ids
        before = contract.read(['amount', 'transaction_date', 'name'])[0]
        for role, env in self.roles().items():
            for what, attempt in self.attempts(env):
                with self.subTest(role=role, what=what):
                    try:
                        with self.env.cr.savepoint():
                            attempt()
                    except (UserError, AccessError):
                        continue
                    self.fail(f'{role} could change: {what}')
        self.assertEqual(contract.read(['amount', 'transaction_date', 'name'])[0], before)
        self.assertEqual(self.envelope.state, 'completed')
        self.assertEqual(contract.document_ids._read_pdf(), self.envelope.document_ids._read_pdf('current'))

    def test_chatter_still_works_on_a_completed_envelope(self):
        self.envelope.with_user(self.officer).message_post(body='A note after completion')
        self.assertIn('A note after completion', self.envelope.message_ids[0].body)

    def test_manager_corrects_metadata_with_a_correction_record(self):
        contract = self.envelope.contract_ids
        wizard = self.env['esign.contract.correct.wizard'].with_user(self.manager).with_context(
            default_contract_id=contract.id).create({'reason': 'Amount excluded tax by mistake'})
        self.assertEqual(wizard.amount, contract.amount)
        wizard.write({'amount': 1320000, 'department': '財政課'})
        wizard.action_confirm()
        self.assertEqual((contract.amount, contract.department), (1320000, '財政課'))
        corrections = contract.correction_ids.sorted('field_name')
        self.assertEqual(corrections.mapped('field_name'), ['amount', 'department'])
        amount = corrections[0]
        currency = contract.currency_id
        self.assertEqual((amount.value_before, amount.value_after),
                         (f'{1200000:,.{currency.decimal_places}f} {currency.name}',
                          f'{1320000:,.{currency.decimal_places}f} {currency.name}'))
        self.assertEqual((amount.user_id, amount.user_name, amount.reason),
                         (self.manager, 'Manager Ito', 'Amount excluded tax by mistake'))
        self.assertTrue(amount.corrected_at)
        self.assertEqual(corrections[1].value_before, '総務課')
        log = self.log_of(event='correct', contract_ref=contract.id)
        self.assertIn('Amount excluded tax by mistake', log.details)
        # The correction record itself is kept forever.
        for env in (self.env(user=self.manager), self.env(su=True)):
            with self.assertRaises(UserError):
                amount.with_env(env).write({'value_after': '1'})
            with self.assertRaises(UserError):
                amount.with_env(env).unlink()

    def test_correction_needs_a_manager_a_reason_and_a_change(self):
        contract = self.envelope.contract_ids
        with self.assertRaises(AccessError):
            contract.with_user(self.officer)._esign_apply_correction({'amount': 5}, 'typo')
        with self.assertRaises(AccessError):
            self.env['esign.contract.correct.wizard'].with_user(self.auditor).create(
                {'contract_id': contract.id, 'reason': 'x', 'name': 'x', 'currency_id': contract.currency_id.id})
        with self.assertRaisesRegex(UserError, 'reason'):
            contract.with_user(self.manager)._esign_apply_correction({'amount': 5}, '  ')
        with self.assertRaisesRegex(UserError, 'Nothing was changed'):
            contract.with_user(self.manager)._esign_apply_correction({'amount': contract.amount}, 'same')
        self.assertFalse(contract.correction_ids)

    def test_a_longer_retention_on_the_type_applies_to_archived_contracts(self):
        contract = self.envelope.contract_ids
        until = contract.retention_until
        self.contract_type.with_user(self.manager).write({'retention_years': 15})
        self.assertEqual(contract.retention_until.year - until.year, 5)
        self.contract_type.with_user(self.manager).write({'retention_years': 5})
        self.assertEqual(contract.retention_until.year - until.year, 5, 'a shorter period never shortens it')

    def test_deletion_refused_before_the_end_of_retention_even_for_administrators(self):
        contract = self.envelope.contract_ids
        for env in (self.env(user=self.manager), self.env(user=self.admin), self.env(su=True)):
            with self.assertRaisesRegex(UserError, 'must be kept until'):
                contract.with_env(env).unlink()
        with self.assertRaises(AccessError):
            contract.with_user(self.officer).unlink()
        self.assertTrue(contract.exists())

    def test_deletion_after_retention_keeps_a_deletion_record(self):
        contract = self.envelope.contract_ids
        number, envelope_id = contract.number, self.envelope.id
        after = contract.retention_until + datetime.timedelta(days=1)
        with freeze_time(after.isoformat()):
            with self.assertRaises(AccessError):
                contract.with_user(self.auditor).unlink()
            contract.with_user(self.manager).unlink()
        self.assertFalse(contract.exists())
        self.assertFalse(self.env['esign.envelope'].browse(envelope_id).exists())
        deletion = self.env['esign.contract.correction'].search([('contract_number', '=', number)])
        self.assertEqual(deletion.kind, 'deletion')
        self.assertIn('"retention_until"', deletion.value_before)
        self.assertEqual(deletion.user_id, self.manager)
        self.assertTrue(self.log_of(event='delete', contract_number=number))
        # The log of the envelope outlives it.
        self.assertTrue(self.log_of(envelope_ref=envelope_id, event='complete'))
