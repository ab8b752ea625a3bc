import asyncio
import hashlib

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from ..engine.errors import TimestampError
from odoo.addons.esign_hsm.testing.tsa_server import TsaServer
from odoo.addons.esign_hsm.testing.pki import build_pki

from .common import TimestampCase, pem, unused_url


def stamp(timestamper, data=b'document', algorithm='sha256'):
    return asyncio.run(timestamper.async_timestamp(hashlib.new(algorithm, data).digest(), algorithm))


@tagged('post_install', '-at_install')
class TestTsaSettings(TimestampCase):

    def test_password_is_sealed_by_the_key_encryption_key(self):
        tsa = self.make_tsa(username='city', password='S3cret-pass')
        tsa.flush_recordset()
        self.assertTrue(tsa.has_password)
        self.assertFalse(tsa.password, 'the clear password is never read back')
        self.env.cr.execute('SELECT * FROM esign_tsa WHERE id = %s', [tsa.id])
        row = repr(self.env.cr.fetchone())
        self.assertNotIn('S3cret-pass', row)
        # sealed like the documents: a data key wrapped by the KEK outside the database
        self.assertIn('sealed1:', row)
        self.assertEqual(tsa._client().auth, ('city', 'S3cret-pass'))
        # bound to its record: copied to another TSA it does not decrypt
        other = self.make_tsa(name='Other')
        other.sudo().password_encrypted = tsa.sudo().password_encrypted
        with self.assertRaises(UserError):
            other._client()
        other.sudo().password_encrypted = 'sealed1:bm90IGEgc2VjcmV0'
        with self.assertRaises(UserError):
            other._client()
        tsa.action_clear_password()
        self.assertFalse(tsa.has_password)

    def test_basic_auth_through_the_encrypted_password(self):
        with TsaServer(self.tsa_issued, self.pki.chain, username='city', password='S3cret-pass') as server:
            tsa = self.make_tsa(url=server.url, username='city', password='S3cret-pass')
            stamp(self.Tsa._get_timestamper())
            self.assertEqual(self.Token.search([('tsa_id', '=', tsa.id)]).tsa_url, server.url)

    def test_invalid_settings_are_refused(self):
        with self.assertRaises(ValidationError):
            self.make_tsa(url='ftp://tsa.example.jp')
        with self.assertRaises(ValidationError):
            self.make_tsa(policy_oid='not an oid')
        with self.assertRaises(ValidationError):
            self.make_tsa(trust_roots_pem='-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----')

    def test_test_button(self):
        tsa = self.make_tsa()
        action = tsa.action_test()
        self.assertEqual(action['params']['type'], 'success')
        self.tsa_server.fault = 'wrong_nonce'
        with self.assertRaises(UserError) as caught:
            tsa.action_test()
        self.assertIn('nonce', str(caught.exception))

    def test_settings_block_lists_the_authorities(self):
        self.make_tsa()
        Form(self.env['res.config.settings'])  # the settings form loads with the block
        self.assertEqual(self.env['res.config.settings'].create({}).esign_tsa_count, 1)
        arch = self.env['res.config.settings'].get_view(view_type='form')['arch']
        self.assertIn('esign_timestamp_settings', arch)


@tagged('post_install', '-at_install')
class TestTimestamper(TimestampCase):

    def test_failover_in_sequence_order_and_token_storage(self):
        dead = self.make_tsa(name='Down TSA', url=unused_url(), sequence=1)
        alive = self.make_tsa(name='Loopback TSA', sequence=2)
        partner = self.env['res.partner'].create({'name': 'Covered record'})
        timestamper = self.Tsa._get_timestamper(res_model='res.partner', res_id=partner.id,
                                                description='contract.pdf, signature 1')
        token = stamp(timestamper, b'signature value', 'sha384')
        stored = self.Token.search([('res_model', '=', 'res.partner'), ('res_id', '=', partner.id)])
        self.assertEqual(len(stored), 1)
        self.assertEqual(stored.tsa_id, alive)
        info = token['content']['encap_content_info']['content'].parsed
        self.assertEqual(stored.serial, str(info['serial_number'].native))
        self.assertEqual(stored.imprint, hashlib.sha384(b'signature value').hexdigest())
        self.assertEqual(stored.hash_algorithm, 'sha384')
        self.assertEqual(stored.description, 'contract.pdf, signature 1')
        self.assertIn('Test TSA', stored.tsa_name)
        self.assertTrue(stored.gen_time and stored.tsa_cert_not_after)
        self.assertFalse(self.Token.search([('tsa_id', '=', dead.id)]))
        with self.assertRaises(UserError):
            stored.description = 'changed'

        # the order is the sequence: put the live one first
        alive.sequence, dead.sequence = 1, 2
        timestamper = self.Tsa._get_timestamper()
        self.assertEqual([c.url for c in timestamper.timestampers], [alive.url, dead.url])
        stamp(timestamper, b'second')
        self.assertEqual(self.Token.search([('imprint', '=', hashlib.sha256(b'second').hexdigest())]).tsa_id, alive)

    def test_every_tsa_failing_gives_a_clear_error(self):
        self.make_tsa(name='Down TSA', url=unused_url(), sequence=1)
        self.make_tsa(name='Bad TSA', sequence=2)
        self.tsa_server.fault = 'wrong_imprint'
        with self.assertRaises(TimestampError) as caught:
            stamp(self.Tsa._get_timestamper())
        self.assertEqual([f[1] for f in caught.exception.failures], ['unreachable', 'bad_imprint'])
        message = self.Tsa._error_message(caught.exception)
        self.assertIn('other data', message)
        self.assertFalse(self.Token.search([]))
        self.Tsa.search([]).write({'active': False})
        with self.assertRaises(TimestampError) as caught:
            stamp(self.Tsa._get_timestamper())
        self.assertEqual(caught.exception.code, 'no_tsa')
        self.assertIn('Settings', self.Tsa._error_message(caught.exception))

    def test_other_company_tsa_is_not_used(self):
        other_company = self.env['res.company'].create({'name': 'Other City'})
        self.make_tsa(company_id=other_company.id)
        with self.assertRaises(TimestampError) as caught:
            stamp(self.Tsa._get_timestamper())
        self.assertEqual(caught.exception.code, 'no_tsa')
        stamp(self.Tsa._get_timestamper(company=other_company))
        self.assertEqual(self.Token.search([]).company_id, other_company)

    def test_demo_authority_in_process(self):
        demo_pki = self.env['esign.demo.pki']._install_demo_pki(self.env.company, build_pki(prefix='Demo TSA test'))
        pki = demo_pki._to_pki()
        demo = self.Tsa._install_demo_tsa(demo_pki.tsa_certificate_id, chain=[pki.issuing_ca.cert],
                                          trust_roots=[pki.root.cert])
        # its key stays sealed in esign_hsm (certificate.key), never in the TSA's record
        self.assertTrue(demo.demo_certificate_id.private_key_id.esign_sealed)
        self.env.cr.execute('SELECT * FROM esign_tsa WHERE id = %s', [demo.id])
        self.assertNotIn('PRIVATE KEY', repr(self.env.cr.fetchone()))
        stamp(self.Tsa._get_timestamper())
        token = self.Token.search([])
        self.assertEqual(token.tsa_id, demo)
        self.assertIn('DEMO - UNTRUSTED', token.tsa_name)
        token._verify()
        self.assertEqual(token.verification_state, 'valid')
