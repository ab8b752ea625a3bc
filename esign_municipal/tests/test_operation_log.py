import base64
import csv
import hashlib
import io
import os
import subprocess
import sys
import uuid

import odoo
from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import config

from ..engine import hash_chain
from ..models.esign_operation_log import HASHED_COLUMNS
from ..tools import archive_guard
from .archive_common import ArchiveCase


@tagged('post_install', '-at_install')
class TestOperationLog(ArchiveCase):
    """操作ログ: append-only, hash-chained, verified row by row."""

    def record(self, event, **kwargs):
        return self.env['esign.operation.log'].with_user(self.officer)._esign_record(event, **kwargs)

    def test_entries_hold_who_when_where_and_what(self):
        envelope = self.create_envelope()
        entry = self.record('view', envelope=envelope, document=envelope.document_ids[0],
                            request_info={'ip': '192.0.2.10', 'user_agent': 'Mozilla/5.0 (iPhone)'}, page=2)
        self.assertEqual((entry.event, entry.event_label), ('view', 'Document viewed'))
        self.assertEqual((entry.user_ref, entry.user_name), (self.officer.id, 'Officer'))
        self.assertEqual((entry.envelope_ref, entry.envelope_number), (envelope.id, envelope.number))
        self.assertEqual(entry.document_name, envelope.document_ids[0].name)
        self.assertEqual((entry.ip_address, entry.user_agent), ('192.0.2.10', 'Mozilla/5.0 (iPhone)'))
        self.assertEqual(entry.details, '{"page": 2}')
        self.assertTrue(entry.logged_at)
        self.assertEqual(entry.company_id, envelope.company_id)
        # one entry per signer when several are concerned
        envelope.with_user(self.officer).action_send()
        self.assertEqual(len(self.log_of(envelope_ref=envelope.id, event='invite')), 1)
        entries = self.record('remind', envelope=envelope, signer=envelope.signer_ids)
        self.assertEqual(sorted(entries.mapped('signer_ref')), sorted(envelope.signer_ids.ids))

    def test_the_chain_links_every_entry_to_the_one_before(self):
        first = self.record('view')
        second = self.record('download')
        self.assertFalse(first.chain_seq, 'chained only after the commit (here: by hand)')
        self.assertGreaterEqual(self.seal(), 2)
        self.assertEqual(second.chain_seq, first.chain_seq + 1)
        self.assertEqual(second.prev_hash, first.entry_hash)
        self.assertEqual(len(first.entry_hash), 64)
        result, unsealed = self.env['esign.operation.log']._esign_verify_chain()
        self.assertTrue(result.intact)
        self.assertEqual(unsealed, 0)
        self.assertGreaterEqual(result.checked, 2)

    def test_sql_tampering_names_exactly_the_changed_row(self):
        entries = self.record('view') | self.record('download') | self.record('sign') | self.record('view')
        self.seal()
        victim = entries.sorted('id')[2]
        self.env.cr.execute("UPDATE esign_operation_log SET ip_address = '203.0.113.66' WHERE id = %s", [victim.id])
        result, _unsealed = self.env['esign.operation.log']._esign_verify_chain()
        self.assertFalse(result.intact)
        self.assertEqual((result.first_break.row_id, result.first_break.seq, result.first_break.reason),
                         (victim.id, victim.chain_seq, 'content'))
        notification = self.env['esign.operation.log'].with_user(self.auditor).action_verify_chain()
        self.assertEqual(notification['params']['type'], 'danger')
        self.assertIn(f'ID {victim.id}', notification['params']['message'])
        # The verification itself is logged.
        self.assertTrue(self.log_of(event='verify_log', user_ref=self.auditor.id))

    def test_sql_deletion_and_rewritten_hash_are_found(self):
        entries = (self.record('view') | self.record('download') | self.record('sign')).sorted('id')
        self.seal()
        self.env.cr.execute('DELETE FROM esign_operation_log WHERE id = %s', [entries[1].id])
        result, _unsealed = self.env['esign.operation.log']._esign_verify_chain()
        self.assertEqual((result.first_break.row_id, result.first_break.reason), (entries[2].id, 'gap'))

    def test_timestamped_head_reveals_a_rewritten_chain(self):
        entries = (self.record('view') | self.record('download') | self.record('sign')).sorted('id')
        token = self.env['esign.operation.log']._esign_anchor()
        head = entries[-1]
        self.assertEqual((token.res_model, token.res_id), ('esign.operation.log', head.id))
        self.assertEqual(token.imprint, hashlib.sha256(bytes.fromhex(head.entry_hash)).hexdigest())
        self.assertFalse(self.env['esign.operation.log']._esign_anchor(), 'the head is anchored once')
        self.assertEqual(self.env['esign.operation.log']._esign_check_anchors(), [])
        # Someone changes an entry and recomputes every hash after it: the chain holds, the anchor does not.
        self.env.cr.execute("UPDATE esign_operation_log SET ip_address = '203.0.113.66' WHERE id = %s",
                            [entries[1].id])
        self.env.cr.execute(f'SELECT chain_seq, {", ".join(HASHED_COLUMNS)} FROM esign_operation_log '
                            'WHERE chain_seq >= %s ORDER BY chain_seq', [entries[1].chain_seq])
        rows = self.env.cr.fetchall()
        previous = entries[0].entry_hash
        for seq, *content in rows:
            digest = hash_chain.entry_hash(hash_chain.content_with_seq(dict(zip(HASHED_COLUMNS, content)), seq),
                                           previous)
            self.env.cr.execute('UPDATE esign_operation_log SET prev_hash = %s, entry_hash = %s WHERE chain_seq = %s',
                                [previous, digest, seq])
            previous = digest
        result, _unsealed = self.env['esign.operation.log']._esign_verify_chain()
        self.assertTrue(result.intact, f'a consistent rewrite fools the chain alone: {result.first_break}')
        self.assertEqual([problem for _token, problem in self.env['esign.operation.log']._esign_check_anchors()],
                         ['rewritten'])
        notification = self.env['esign.operation.log'].with_user(self.auditor).action_verify_chain()
        self.assertEqual(notification['params']['type'], 'danger')
        self.assertIn(f'entry ID {head.id} was rewritten', notification['params']['message'])

    def test_intact_chain_is_reported_intact(self):
        self.record('view')
        self.seal()
        notification = self.env['esign.operation.log'].with_user(self.auditor).action_verify_chain()
        self.assertEqual(notification['params']['type'], 'success', notification['params']['message'])
        with self.assertRaises(UserError):
            self.env['esign.operation.log'].with_user(self.officer).action_verify_chain()

    def test_nobody_changes_or_deletes_an_entry(self):
        entry = self.record('view')
        Log = self.env['esign.operation.log']
        for env in (self.env(user=self.auditor), self.env(user=self.manager), self.env(user=self.admin),
                    self.env(su=True)):
            with self.subTest(user=env.user.login, su=env.su):
                with self.assertRaises(UserError):
                    entry.with_env(env).write({'ip_address': '1.2.3.4'})
                with self.assertRaises(UserError):
                    entry.with_env(env).unlink()
                with self.assertRaises(UserError):
                    Log.with_env(env).create({'event': 'forged', 'logged_at': '2026-01-01 00:00:00'})
        with self.assertRaises(UserError):
            entry.sudo().write({'chain_seq': 999999})
        self.assertEqual(entry.ip_address, False)
        # The one way in is _esign_record; archive_guard's permission is not in the Odoo context.
        with self.assertRaises(UserError):
            Log.sudo().with_context(esign_archive_unlocked=['log_write']).create(
                {'event': 'forged', 'logged_at': '2026-01-01 00:00:00'})
        with archive_guard.unlocked(archive_guard.LOG_WRITE), self.assertRaises(UserError):
            entry.sudo().write({'event': 'forged'})

    def test_users_cannot_read_the_log_auditors_can(self):
        entry = self.record('view')
        with self.assertRaises(AccessError):
            entry.with_user(self.officer).read(['event'])
        self.assertEqual(entry.with_user(self.auditor).read(['event'])[0]['event'], 'view')

    def test_csv_export_for_auditors(self):
        entries = self.record('view', request_info={'ip': '192.0.2.1'}) | self.record('download')
        self.seal()
        action = self.env['esign.archive.csv'].with_user(self.auditor)._esign_log_csv_action(entries)
        attachment = self.env['ir.attachment'].browse(int(action['url'].split('/')[3].split('?')[0]))
        data = base64.b64decode(attachment.with_user(self.auditor).datas)
        self.assertTrue(data.startswith('\ufeff'.encode()), 'Excel needs the BOM to read UTF-8')
        rows = list(csv.reader(io.StringIO(data.decode('utf-8-sig'))))
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows[1][0], str(entries.sorted('id')[0].id))
        self.assertEqual(rows[1][10], '192.0.2.1')
        self.assertEqual(len(rows[1][15]), 64, 'the hash is exported so the chain can be checked')
        self.assertTrue(self.log_of(event='export', user_ref=self.auditor.id))
        with self.assertRaises(AccessError):
            attachment.with_user(self.officer).read(['datas'])

    def test_envelope_events_flow_into_the_log(self):
        envelope = self.create_envelope()
        envelope.with_user(self.officer).action_send()
        envelope.with_user(self.officer).action_remind()
        envelope.with_user(self.officer)._esign_cancel('Wrong amount')
        events = self.log_of(envelope_ref=envelope.id).mapped('event')
        self.assertEqual(events, ['send', 'token_issued', 'invite', 'token_issued', 'remind', 'cancel'])
        cancel = self.log_of(envelope_ref=envelope.id, event='cancel')
        self.assertIn('Wrong amount', cancel.details)
        self.assertEqual(cancel.user_ref, self.officer.id)

    def test_refused_staff_access_is_in_the_log(self):
        values = self.env['esign.access.refusal']._esign_refusal_values('ip', self.officer, 'esign.envelope')
        values.update({'ip_address': '203.0.113.99', 'user_agent': 'curl/8', 'path': '/odoo/action-1'})
        self.env['esign.access.refusal'].sudo()._esign_log_refusal([values])
        entry = self.log_of(event='access_refused')
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.user_ref, entry.ip_address, entry.user_agent, entry.res_model),
                         (self.officer.id, '203.0.113.99', 'curl/8', 'esign.envelope'))
        self.assertIn('"reason": "ip"', entry.details)
        self.assertEqual(entry.event_label, 'Access refused')

    def test_settings_changes_are_logged(self):
        settings = self.env['res.config.settings'].with_user(self.manager).create({'esign_renewal_months': 7})
        settings.execute()
        entry = self.log_of(event='settings', user_ref=self.manager.id)
        self.assertTrue(entry)
        self.assertIn('"esign_renewal_months": {"after": 7, "before": 12}', entry[-1].details)
        self.contract_type.with_user(self.manager).write({'retention_years': 12})
        entry = self.log_of(event='settings', res_model='esign.contract.type')
        self.assertIn('"retention_years": {"after": 12, "before": 10}', entry[-1].details)
        # Timestamp authorities too, their secrets masked.
        self.tsa_record.with_user(self.manager).write({'password': 'tsa-secret-42', 'timeout': 7.0})
        details = ' '.join(self.log_of(event='settings', res_model='esign.tsa').mapped('details'))
        self.assertIn('"timeout": {"after": 7.0, "before": 5.0}', details)
        self.assertIn('"password": {"after": "***", "before": "***"}', details)
        self.env.cr.execute("SELECT count(*) FROM esign_operation_log WHERE details LIKE '%%tsa-secret-42%%'")
        self.assertEqual(self.env.cr.fetchone()[0], 0, 'no secret in the log')


WRITER = """
import odoo
from odoo import SUPERUSER_ID, api
for step in range(8):
    with env.registry.cursor() as cr:  # commits on exit; the sealing runs right after
        api.Environment(cr, SUPERUSER_ID, {})['esign.operation.log']._esign_record(
            'view', res_model=%(marker)r, res_id=%(number)d * 100 + step)
"""


@tagged('post_install', '-at_install')
class TestOperationLogConcurrency(TransactionCase):
    """Concurrent writers, each in its own Odoo process committing for real:
    the rows end up in one unbroken chain, each row once."""

    def odoo_shell(self):
        odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), 'odoo-bin')
        options = ['--addons-path', config['addons_path'], '-d', self.env.cr.dbname, '--no-http',
                   '--log-level', 'warn', '--max-cron-threads', '0']
        for option in ('db_host', 'db_port', 'db_user'):
            if config.get(option):
                options += [f'--{option}', str(config[option])]
        if config.rcfile and os.path.isfile(config.rcfile):
            options += ['-c', config.rcfile]
        return subprocess.Popen([sys.executable, odoo_bin, 'shell', *options], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def test_concurrent_writers_make_one_chain(self):
        marker = f'concurrency.test.{uuid.uuid4().hex[:8]}'
        writers = [self.odoo_shell() for _number in range(4)]
        for number, writer in enumerate(writers):
            writer.stdin.write(WRITER % {'marker': marker, 'number': number})
            writer.stdin.close()
        outputs = [writer.stdout.read() for writer in writers]
        for writer in writers:
            writer.wait(timeout=300)
        self.assertEqual([writer.returncode for writer in writers], [0] * 4, outputs)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Log = env['esign.operation.log']
            rows = Log.search([('res_model', '=', marker)])
            self.assertEqual(len(rows), 32)
            self.assertTrue(all(rows.mapped('chain_seq')), 'every row chained after its commit')
            self.assertEqual(len(set(rows.mapped('chain_seq'))), 32)
            result, unsealed = Log._esign_verify_chain()
            self.assertTrue(result.intact, result.first_break)
            self.assertEqual(unsealed, 0)
            cr.rollback()
