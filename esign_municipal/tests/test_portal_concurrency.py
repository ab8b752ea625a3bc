"""Two signers completing the same envelope at the same moment, and one signer
completing from two tabs at once: real threads, each on its own database
cursor and transaction, committing for real (as two HTTP workers would).

The test transaction cannot be used (other connections never see it), so the
envelope is built and committed through separate cursors and deleted again
at the end. Signing uses the company's committed witness key (the demo PKI
installed with the addon) and a loopback TSA issued by that same PKI.
"""
import base64
import random
import threading
import time

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.esign_hsm.testing import pdf_checks
from odoo.addons.esign_timestamp.engine.rfc3161 import Rfc3161Client
from odoo.addons.esign_hsm.testing.tsa_server import TsaServer

from .common import make_pdf, qpdf_ok


@tagged('post_install', '-at_install')
class TestConcurrentSigning(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.committed() as env:
            company = env.ref('base.main_company')
            if not env['esign.witness.key'].search_count([('company_id', '=', company.id)]):
                env['esign.demo.pki']._install_default_demo_pki()
            pki = env['esign.demo.pki']._load_demo_pki(company)
        # A little latency, as a real TSA has: the two signings overlap for sure.
        cls.tsa = TsaServer(pki.tsa, pki.chain, fault='slow', delay=0.3).start()
        cls.addClassCleanup(cls.tsa.stop)
        cls.timestamper = Rfc3161Client(cls.tsa.url, trust_roots=[pki.root.asn1], timeout=10)
        cls.trust_roots = [pki.root.cert]

    @classmethod
    def committed(cls):
        """An environment on a new cursor of its own, committed at the end of the block."""
        class _Env:
            def __enter__(self):
                self.cr = cls.registry.cursor()
                # The registry is already loaded (and its class lock held while
                # tests run): give the cursor its transaction directly.
                self.cr.transaction = api.Transaction(cls.registry)
                return api.Environment(self.cr, SUPERUSER_ID, {})

            def __exit__(self, kind, value, traceback):
                if kind is None:
                    self.cr.commit()
                self.cr.close()
        return _Env()

    def setUp(self):
        super().setUp()
        timestamper = self.timestamper
        self.patch(type(self.env['esign.envelope']), '_esign_timestamper', lambda envelope: timestamper)
        # The test runner holds the registry class lock while tests run; code
        # that opens a cursor of its own in the threads (the operation log
        # seals its chain after commit) looks the loaded registry up, as it
        # would in an HTTP worker, without waiting for that lock.
        self.patch(Registry, '__new__', lambda cls, db_name: cls.registries[db_name])
        self.created = {}
        self.addCleanup(self.delete_created)

    def build_envelope(self, signer_count, mode='parallel'):
        with self.committed() as env:
            partners = env['res.partner'].create([
                {'name': f'Concurrent signer {n}', 'email': f'concurrent{n}@example.com'} for n in range(signer_count)])
            envelope = env['esign.envelope'].create({'name': 'Concurrent signing', 'signing_mode': mode})
            document = env['esign.document'].create({
                'envelope_id': envelope.id, 'name': 'Contract', 'pdf_upload': base64.b64encode(make_pdf('Contract'))})
            signers = env['esign.signer'].create([
                {'envelope_id': envelope.id, 'partner_id': partner.id, 'signing_order': 1} for partner in partners])
            env['esign.field'].create([{'document_id': document.id, 'signer_id': signer.id, 'field_type': 'signature',
                                        'page': 1} for signer in signers])
            envelope.action_send()
            self.created = {'envelope': envelope.id, 'partners': partners.ids}
            return envelope.id, document.id, signers.ids

    def delete_created(self):
        if not self.created:
            return
        with self.committed() as env:
            envelope = env['esign.envelope'].browse(self.created['envelope'])
            env['mail.mail'].search([('model', 'in', ('esign.signer', 'esign.envelope')),
                                     ('res_id', 'in', envelope.signer_ids.ids + envelope.ids)]).unlink()
            envelope.unlink()
            env['res.partner'].browse(self.created['partners']).unlink()

    @staticmethod
    def complete_with_retries(env, signer_id):
        """What an HTTP worker does with the completion request: run it, and on
        a serialization failure roll back and run it again on a fresh snapshot
        (odoo.service.model.retrying, minus its registry reload, which would
        wait for the test runner's registry lock). Returns the retries needed."""
        for retries in range(5):
            try:
                env['esign.signer'].browse(signer_id)._complete_signing(
                    {}, {'ip': '192.0.2.1', 'auth_method': 'email_link'})
                env.cr.commit()
                return retries
            except SerializationFailure:
                env.cr.rollback()
                time.sleep(random.uniform(0.05, 0.5))
        raise AssertionError('still conflicting after 5 tries')

    def sign_at_once(self, signer_ids):
        """Each signer id completes in its own thread and transaction; all start
        together. Returns [(start, end, retries)] per thread."""
        barrier = threading.Barrier(len(signer_ids))
        spans, errors = [], []

        def work(signer_id):
            try:
                with self.committed() as env:
                    env['esign.signer'].browse(signer_id).mapped('state')   # each has its snapshot
                    barrier.wait(timeout=30)
                    start = time.monotonic()
                    retries = self.complete_with_retries(env, signer_id)
                    spans.append((start, time.monotonic(), retries))
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(signer_id,)) for signer_id in signer_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertFalse(errors, errors)
        self.assertEqual(len(spans), len(signer_ids))
        return spans

    def read_pdf(self, document_id):
        with self.committed() as env:
            return env['esign.document'].browse(document_id)._read_pdf('current')

    def test_two_signers_at_the_same_moment_both_end_up_in_the_pdf(self):
        envelope_id, document_id, signer_ids = self.build_envelope(3)
        first, second, _third = signer_ids
        spans = self.sign_at_once([first, second])
        # They really ran at the same time (each started before the other finished) ...
        self.assertLess(max(start for start, _end, _retries in spans), min(end for _start, end, _retries in spans))
        # ... and one had to wait for the other and start again on its result.
        self.assertEqual(sorted(retries for _start, _end, retries in spans)[0], 0)
        self.assertGreaterEqual(max(retries for _start, _end, retries in spans), 1)
        # ... were serialized on the envelope, and both signatures are in the PDF, valid.
        data = self.read_pdf(document_id)
        self.assertTrue(qpdf_ok(data))
        with self.committed() as env:
            number = env['esign.envelope'].browse(envelope_id).number
            states = env['esign.signer'].browse(signer_ids).mapped('state')
            revision = env['esign.envelope'].browse(envelope_id).signing_revision
        pdf_checks.assert_pdfsig_verdict(data, self.trust_roots, [f'FIELD_{number}_{i}' for i in (first, second)])
        self.assertEqual(states, ['signed', 'signed', 'invited'])
        self.assertGreaterEqual(revision, 2)

    def test_one_signer_from_two_tabs_signs_once(self):
        envelope_id, document_id, signer_ids = self.build_envelope(2)
        spans = self.sign_at_once([signer_ids[0], signer_ids[0]])
        self.assertGreaterEqual(max(retries for _start, _end, retries in spans), 1)
        with self.committed() as env:
            number = env['esign.envelope'].browse(envelope_id).number
        pdf_checks.assert_pdfsig_verdict(self.read_pdf(document_id), self.trust_roots, [f'FIELD_{number}_{signer_ids[0]}'])
