import base64
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase, new_test_user
from odoo.tools import config, mute_logger

from odoo.addons.esign_hsm.engine import vault_crypto
from odoo.addons.esign_hsm.testing import pdf_checks

from .common import CUSTODY_LOGGER


def _needles(secret):
    """secret as it could sit in a dump: raw, hex (bytea), base64 at each alignment (Binary fields)."""
    needles = {secret, secret.hex().encode()}
    for offset in range(3):
        encoded = base64.b64encode(secret[offset:])
        needles.add(encoded[4:-4])  # the stable middle of the encoding
    return needles


def _haystacks(dump, filestore_dir):
    """The SQL dump, every bytea value of it decoded from hex, and every file of the filestore copy."""
    yield dump
    for match in re.finditer(rb'\\\\x([0-9a-f]{16,})', dump):
        yield bytes.fromhex(match.group(1).decode())
    for root, _dirs, files in os.walk(filestore_dir):
        for name in files:
            with open(os.path.join(root, name), 'rb') as stored:
                yield stored.read()


@tagged('post_install', '-at_install')
class TestVaultBlob(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Blob = cls.env['esign.vault.blob']
        cls.pdf = pdf_checks.one_page_pdf('Contract between Demo City and Demo Construction')

    def _other_kek_file(self):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        return vault_crypto.generate_kek_file(os.path.join(directory, 'other.key'))

    def test_ciphertext_is_never_sniffed_as_another_type(self):
        # Ciphertext is random: sometimes it starts like XML or an image. Whatever
        # its first bytes, a vault file stays opaque (octet-stream, not indexed).
        for lookalike in (b'<?xml version="1.0"?><a/>', b'\x89PNG\r\n\x1a\n' + bytes(32), b'<html>x</html>'):
            attachment = self.env['ir.attachment'].sudo().create({
                'name': 'x.enc', 'raw': lookalike, 'mimetype': 'application/octet-stream',
                'res_model': 'esign.vault.blob', 'res_id': 0})
            self.assertEqual(attachment.mimetype, 'application/octet-stream', lookalike)
            self.assertEqual(attachment.raw, lookalike)
        other = self.env['ir.attachment'].create({'name': 'x', 'raw': b'<?xml version="1.0"?><a/>',
                                                  'res_model': 'res.partner', 'res_id': 0})
        self.assertIn('xml', other.mimetype)  # everything else is still sniffed as usual

    def test_each_document_has_its_own_key_and_reads_back(self):
        first = self.Blob._store(self.pdf, 'contract.pdf')
        second = self.Blob._store(self.pdf, 'contract copy.pdf')
        self.assertEqual(first._read(), self.pdf)
        self.assertEqual(second._read(), self.pdf)
        self.assertNotEqual(first.wrapped_key, second.wrapped_key)
        self.assertNotEqual(first.attachment_id.raw, second.attachment_id.raw)
        self.assertNotIn(b'Demo City', first.attachment_id.raw)
        self.assertEqual(first.attachment_id.mimetype, 'application/octet-stream')
        self.assertEqual(first.attachment_id.index_content, 'application')  # the type only, no words
        self.assertTrue(first.kek_ref.startswith('file:'))
        self.assertEqual((first.size, first.mimetype), (len(self.pdf), 'application/pdf'))

    @mute_logger(CUSTODY_LOGGER)  # the expected fault is logged as a warning
    def test_other_parts_store_and_read_for_any_user(self):
        """_store/_read are private (no RPC); callers check access themselves, e.g. for a portal signer."""
        portal = new_test_user(self.env, login='vault_portal', groups='base.group_portal')
        blob = self.Blob.with_user(portal)._store(self.pdf, 'portal.pdf')
        self.assertEqual(blob.with_user(portal)._read(), self.pdf)
        with self.assertRaises(AccessError):  # the records themselves stay administrators' only
            blob.with_user(portal).read(['name'])

    @mute_logger(CUSTODY_LOGGER)  # the expected fault is logged as a warning
    def test_missing_or_wrong_kek_gives_a_clear_error(self):
        blob = self.Blob._store(self.pdf, 'contract.pdf')
        with patch.dict(config.options, {'esign_kek_file': self._other_kek_file()}):
            with self.assertRaisesRegex(UserError, 'encrypted under another key-encryption key'):
                blob._read()
        with patch.dict(config.options, {'esign_kek_file': '/nonexistent/esign/kek.key'}):
            with self.assertRaisesRegex(UserError, r'/nonexistent/esign/kek.key does not exist'):
                blob._read()
            count = self.Blob.search_count([])
            with self.assertRaisesRegex(UserError, 'does not exist'):
                self.Blob._store(self.pdf, 'never stored.pdf')
            self.assertEqual(self.Blob.search_count([]), count)
        with patch.dict(config.options, {'esign_kek_file': ''}):
            with self.assertRaisesRegex(UserError, 'No key-encryption key is configured'):
                blob._read()
        self.assertEqual(blob._read(), self.pdf)

    @mute_logger(CUSTODY_LOGGER)  # the expected fault is logged as a warning
    def test_altered_or_swapped_ciphertext_is_refused(self):
        first = self.Blob._store(self.pdf, 'first.pdf')
        second = self.Blob._store(b'%PDF-1.7 another document', 'second.pdf')
        # Someone with database access moves one ciphertext under the other record.
        self.env.flush_all()
        self.env.cr.execute('UPDATE esign_vault_blob SET attachment_id = %s WHERE id = %s',
                            (second.attachment_id.id, first.id))
        first.invalidate_recordset()
        with self.assertRaisesRegex(UserError, 'altered or does not belong to this record'):
            first._read()
        ciphertext = bytearray(second.attachment_id.raw)
        ciphertext[10] ^= 0x01
        second.attachment_id.sudo().raw = bytes(ciphertext)
        with self.assertRaisesRegex(UserError, 'altered'):
            second._read()

    def test_an_encrypted_document_cannot_be_rewritten(self):
        blob = self.Blob._store(self.pdf, 'contract.pdf')
        with self.assertRaisesRegex(UserError, 'cannot be changed'):
            blob.sudo().write({'kek_ref': 'file:0000000000000000'})
        blob.sudo().name = 'renamed.pdf'  # metadata may change
        self.assertEqual(blob._read(), self.pdf)

    def test_database_dump_and_filestore_copy_hold_no_plaintext(self):
        """pg_dump plus a copy of the filestore: the document is nowhere in clear, yet it reads back.

        The data must be committed for pg_dump to see it, so it is written through a
        second cursor and removed afterwards. A plain attachment stored the same way
        is found by the same search, which proves the search itself works."""
        secret = f'CONFIDENTIAL-{uuid.uuid4().hex}'
        control = f'NOT-ENCRYPTED-{uuid.uuid4().hex}'
        document = pdf_checks.one_page_pdf(secret)
        self.assertIn(secret.encode(), document)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            blob = env['esign.vault.blob']._store(document, 'dump-test.pdf')
            plain = env['ir.attachment'].create({'name': 'control.pdf', 'raw': pdf_checks.one_page_pdf(control)})
            blob_id, blob_uuid, plain_id = blob.id, blob.blob_uuid, plain.id
            cr.commit()
        self.addCleanup(self._remove_committed, blob_id, plain_id)

        dbname = self.env.cr.dbname
        dump = self._pg_dump(dbname)
        copy_dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, copy_dir)
        shutil.copytree(config.filestore(dbname), os.path.join(copy_dir, 'filestore'))
        haystacks = list(_haystacks(dump, copy_dir))

        self.assertIn(blob_uuid.encode(), dump, 'the encrypted document is in the dump')
        found = {needle for needle in _needles(secret.encode()) for haystack in haystacks if needle in haystack}
        self.assertFalse(found, 'plaintext of the document found in the dump or the filestore')
        control_found = [haystack for haystack in haystacks if control.encode() in haystack]
        self.assertTrue(control_found, 'the search must find a document stored without encryption')

        with self.registry.cursor() as cr:
            self.assertEqual(api.Environment(cr, SUPERUSER_ID, {})['esign.vault.blob'].browse(blob_id)._read(),
                             document)

    def _pg_dump(self, dbname):
        command = ['pg_dump', '--no-owner', '-d', dbname]
        for option, key in (('-h', 'db_host'), ('-p', 'db_port'), ('-U', 'db_user')):
            if config.get(key):
                command += [option, str(config[key])]
        env = dict(os.environ, PGPASSWORD=config.get('db_password') or '')
        return subprocess.run(command, capture_output=True, check=True, env=env, timeout=300).stdout

    def _remove_committed(self, blob_id, plain_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['esign.vault.blob'].browse(blob_id).unlink()  # its ciphertext attachment goes with it
            env['ir.attachment'].browse(plain_id).unlink()
            cr.commit()
