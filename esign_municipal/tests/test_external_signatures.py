import base64
import io

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.esign_hsm.testing import pdf_checks
from odoo.addons.esign_hsm.testing.demo_tsa import DemoTsa
from odoo.addons.esign_hsm.testing.pki import build_pki
from odoo.addons.esign_timestamp.engine.rfc3161 import Rfc3161Client

from odoo.addons.esign_hsm.engine.signers import to_asn1_cert
from ..engine.jst import jst_date
from .archive_common import ArchiveCase
from .common import make_pdf, qpdf_ok
from .external_signature_common import (
    EXTERNAL_FIELD, EXTERNAL_ORGANIZATION, EXTERNAL_SIGNER, external_party, external_status, sign_externally,
    timestamp_externally)
from .portal_common import PortalCase
from .test_archive_verification import add_overlay

ALLOWED_LEVELS = (ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
# The report on a contract that also carries a signature made elsewhere: valid, with a note.
VALID_WITH_EXTERNAL = ("Valid: the document has not been changed, and this service&#39;s signatures and timestamps "
                       "are intact and trusted.")
EXTERNAL_NOTE = ('Includes signatures or timestamps made elsewhere: intact, but from a certification authority '
                 'this service does not vouch for.')
NOT_TRUSTED = 'Intact, but a certificate is not trusted here'


@tagged('post_install', '-at_install')
class TestDocumentsSignedElsewhere(ArchiveCase, PortalCase):
    """署名互換: a PDF the contractor signed with its own certificate (its own CA and
    TSA, not the witness PKI) goes through an envelope and stays valid; what would
    break its signature is refused with a clear message, and nothing is saved."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.party = external_party(build_pki(prefix='Gaibu Kensetsu', organization=EXTERNAL_ORGANIZATION))
        pki = cls.party.pki
        cls.party_tsa = Rfc3161Client('demo:contractor-tsa', transport=DemoTsa(
            pki.tsa.cert, pki.tsa.key, [c.asn1 for c in pki.chain]).answer)

    def signed_by_contractor(self, **options):
        return sign_externally(make_pdf('Service agreement', 2), self.party, **options)

    def draft_with(self, data, visible=False, name='Service agreement'):
        """A draft envelope holding `data`, the contractor then the approver each with a signature field."""
        envelope = self.create_envelope(documents={}, signers=[], name='Contract signed elsewhere')
        document = self.env['esign.document'].with_user(self.officer).create({
            'envelope_id': envelope.id, 'name': name, 'pdf_upload': base64.b64encode(data)})
        for order, partner, rect in ((1, self.contractor, (320, 60, 470, 120)),
                                     (2, self.approver.partner_id, (100, 60, 250, 120))):
            signer = self.env['esign.signer'].with_user(self.officer).create({
                'envelope_id': envelope.id, 'partner_id': partner.id, 'signing_order': order,
                'role': 'contractor' if order == 1 else 'municipality',
                'signature_type': 'visible' if visible else 'invisible'})
            self.env['esign.field'].with_user(self.officer).create(dict(zip(('x1', 'y1', 'x2', 'y2'), rect), **{
                'document_id': document.id, 'signer_id': signer.id, 'field_type': 'signature', 'page': 2,
                'label': 'Signature'}))
        return envelope

    def complete(self, envelope):
        """Sends the envelope; the contractor then the approver sign: the contract is archived."""
        envelope.with_user(self.officer).action_send()
        contractor, approver = envelope.signer_ids.sorted('signing_order')
        self.assertTrue(contractor._complete_signing({}, {'auth_method': 'email_link'}))
        self.assertTrue(approver.with_user(self.approver)._complete_signing({}, {'auth_method': 'backoffice'}))
        self.assertEqual(envelope.state, 'completed')
        return envelope.contract_ids

    def verify_contract(self, contract):
        """The archive's report (署名検証) on the contract, as the auditor opens it."""
        action = contract.with_user(self.auditor).action_verify_signatures()
        return self.env['esign.verify.wizard'].browse(action['res_id'])

    def verify_archived_day(self, contract):
        """The auditor's batch check of the timestamps archived on the contract's day."""
        day = jst_date(contract.archived_at)
        wizard = self.env['esign.archive.verify.wizard'].with_user(self.auditor).create(
            {'date_from': day, 'date_to': day})
        wizard.action_verify()
        return wizard

    def assert_valid_with_a_note(self, contract):
        """The archive shows the contract and its document valid, with the note, in both languages."""
        for record in (contract, *contract.document_ids):
            self.assertEqual(record.verification_state, 'valid_with_external', record)
            for lang, label in (('en_US', 'Valid (with signatures made elsewhere)'),
                                ('ja_JP', '有効（他で付与された署名を含む）')):
                labels = dict(record._fields['verification_state']._description_selection(
                    record.with_context(lang=lang).env))
                self.assertEqual(labels[record.verification_state], label)
        found = self.env['esign.contract'].with_user(self.auditor).search(
            [('verification_state', '=', 'valid_with_external')])
        self.assertEqual(found, contract, 'the filter "With signatures made elsewhere" finds it')
        self.assertFalse(self.env['esign.contract'].search([('verification_state', '=', 'invalid')]),
                         'not among the "Verification problems"')

    def our_fields(self, envelope):
        return [f'FIELD_{envelope.number}_{signer.id}' for signer in envelope.signer_ids.sorted('signing_order')]

    def assert_theirs_and_ours_valid(self, data, envelope, original):
        """The final PDF extends the contractor's signed file; pdfsig verifies every signature;
        pyHanko finds theirs intact (trusting their root) and ours valid (trusting ours)."""
        self.assertTrue(data.startswith(original), 'the signed input must never be rewritten')
        self.assertTrue(qpdf_ok(data))
        # pdfsig checks every signature and its chain (both roots trusted), OpenSSL our document timestamp
        found = pdf_checks.assert_pdfsig_verdict(data, [self.pki.root.cert, self.party.root],
                                                 [EXTERNAL_FIELD, *self.our_fields(envelope)], doc_timestamps=1)
        self.assertEqual(len(found), 4, 'theirs, ours and our document timestamp')
        status = external_status(data, self.party)
        self.assertTrue(status.intact and status.valid and status.trusted, status.pretty_print_details())
        self.assertIn(status.modification_level, ALLOWED_LEVELS)
        self.assertTrue(status.docmdp_ok and status.bottom_line, status.pretty_print_details())
        self.assert_ours_valid(data, envelope)
        return status

    def assert_ours_valid(self, data, envelope):
        """Our signatures and document timestamp, trusting only the witness PKI's root
        (common.EsignCase.assert_signed would hold theirs to that root too)."""
        context = ValidationContext(trust_roots=[to_asn1_cert(self.pki.root.cert)])
        reader = PdfFileReader(io.BytesIO(data))
        ours = [sig for sig in reader.embedded_regular_signatures if sig.field_name != EXTERNAL_FIELD]
        self.assertEqual([sig.field_name for sig in ours], self.our_fields(envelope))
        for signature in ours:
            status = validate_pdf_signature(signature, context)
            self.assertTrue(status.bottom_line and status.timestamp_validity.trusted, status.pretty_print_details())
        stamp, = reader.embedded_timestamp_signatures
        status = validate_pdf_timestamp(stamp, context)
        self.assertTrue(status.intact and status.valid and status.trusted, str(status))

    # -- (a) approval signature of the contractor -----------------------------------------------

    def test_contract_signed_elsewhere_goes_through_portal_and_back_office(self):
        theirs = self.signed_by_contractor(timestamper=self.party_tsa, box=(72, 760, 260, 800))
        pdf_checks.assert_pdfsig_verdict(theirs, [self.party.root], [EXTERNAL_FIELD])
        self.assertTrue(external_status(theirs, self.party).bottom_line)
        envelope = self.draft_with(theirs, visible=True)
        envelope.write({'transaction_date': '2026-04-01', 'amount': 880000, 'partner_id': self.vendor.id,
                        'contract_type_id': self.contract_type.id})
        document = envelope.document_ids
        self.assertEqual(document.page_count, 2)
        envelope.with_user(self.officer).action_send()
        prepared = document._read_pdf('current')
        self.assertTrue(prepared.startswith(theirs), 'our fields are added in an incremental update')
        contractor, approver = envelope.signer_ids.sorted('signing_order')

        # The contractor signs in the portal, through the mailed link; the PDF.js page gets the prepared file.
        page = self.open(self.sign_path(contractor))
        self.assertIn('o_esign_sign', page.text)
        shown = self.open(f'/esign/sign/{contractor.id}/document/{document.id}/pdf')
        self.assertEqual(shown.content, prepared)
        self.assertEqual(self.post(f'/esign/sign/{contractor.id}/complete',
                                   {'csrf_token': self.csrf(page)}).status_code, 303)
        self.assertEqual(contractor.state, 'signed')
        # The approver signs in the back office.
        self.env['esign.approve.wizard'].with_user(self.approver).create(
            {'signer_id': approver.id, 'confirmed': True}).action_sign()
        self.assertEqual(envelope.state, 'completed')
        final = document._read_pdf('current')
        status = self.assert_theirs_and_ours_valid(final, envelope, theirs)
        self.assertEqual(status.modification_level, ModificationLevel.FORM_FILLING)

        # The archive's report lists their signature: valid, its certificate not trusted here; the
        # contract is valid, with a note that this service does not vouch for their signature.
        contract = envelope.contract_ids
        wizard = self.verify_contract(contract)
        self.assertEqual(wizard.verdict, 'valid_with_external')
        html = str(wizard.report_html)
        for expected in (EXTERNAL_FIELD, EXTERNAL_SIGNER, EXTERNAL_ORGANIZATION, '承認', '東京',
                         VALID_WITH_EXTERNAL, EXTERNAL_NOTE, 'alert-success',
                         "Valid signature, signer&#39;s certificate not trusted by this service",
                         'No: the certificate was issued by a certification authority this service does not trust.',
                         'Intact, but the timestamp authority is not trusted by this service.',
                         'Only later signatures and the filling of their fields since.', 'Approver Sato'):
            self.assertIn(expected, html)
        for unexpected in ('Changed after signing', '>Invalid<', '>Not trusted<', NOT_TRUSTED, 'alert-warning'):
            self.assertNotIn(unexpected, html)
        self.assert_valid_with_a_note(contract)
        # The archive's timestamp check is not tripped by the contractor's own TSA: valid, with the note.
        result = contract.document_ids.sudo()._esign_verify_timestamps()
        self.assertEqual((result['failures'], result['external']), ([], 1))
        self.assertEqual(result['timestamps'], 4)  # theirs, our two signatures', our document timestamp
        self.assertEqual(contract.document_ids.verification_message, EXTERNAL_NOTE)
        batch = self.verify_archived_day(contract)
        self.assertEqual((batch.document_count, batch.valid_count, batch.external_count, batch.failed_count),
                         (1, 1, 1, 0))
        self.assertFalse(batch.line_ids)
        self.assert_valid_with_a_note(contract)

        # The public page (/esign/verify) says the same to anyone holding the file.
        self.env['ir.config_parameter'].sudo().set_param('esign_municipal.public_verification', 'True')
        page = self.open('/esign/verify?lang=en_US')
        counted = sum(self.env['esign.public.verification.count'].sudo().search([]).mapped('count'))
        response = self.opener.post(f'{self.base_url()}/esign/verify?lang=en_US', data={'csrf_token': self.csrf(page)},
                                    files={'pdf': ('contract.pdf', final)}, timeout=120)
        self.assertEqual(response.status_code, 200)
        for expected in (VALID_WITH_EXTERNAL, EXTERNAL_NOTE, 'alert alert-success'):
            self.assertIn(expected, response.text)
        self.assertNotIn(NOT_TRUSTED, response.text)
        # an anonymous upload is counted for the day, not chained row by row
        self.env.invalidate_all()
        self.assertEqual(sum(self.env['esign.public.verification.count'].sudo().search([]).mapped('count')),
                         counted + 1)

        # The same report in Japanese.
        ja = self.env['esign.verify.wizard'].with_user(self.officer).with_context(lang='ja_JP').create(
            {'pdf_file': base64.b64encode(final), 'filename': 'keiyaku.pdf'})
        ja.action_verify()
        self.assertEqual(ja.verdict, 'valid_with_external')
        html = str(ja.report_html)
        for expected in ('有効: 文書は変更されておらず、このサービスの署名とタイムスタンプに改ざんはなく信頼できます。',
                         '他で付与された署名またはタイムスタンプを含みます。改ざんはありませんが、このサービスが保証しない認証局によるものです。',
                         '署名は有効です（署名者の証明書はこのサービスでは信頼されていません）',
                         'いいえ（このサービスが信頼していない認証局が発行した証明書です）',
                         '改ざんはありませんが、このタイムスタンプ局はこのサービスでは信頼されていません。'):
            self.assertIn(expected, html)

    def test_report_on_another_services_document_timestamp(self):
        """Delivered by another service, before any envelope: nothing in it is this service's,
        so it is intact but not trusted here (not 'valid'), each of its parts valid on its own."""
        stamped = timestamp_externally(self.signed_by_contractor(), self.party_tsa)
        wizard = self.env['esign.verify.wizard'].with_user(self.officer).create(
            {'pdf_file': base64.b64encode(stamped), 'filename': 'delivered.pdf'})
        wizard.action_verify()
        self.assertEqual(wizard.verdict, 'untrusted')
        html = str(wizard.report_html)
        for expected in ("Valid signature, signer&#39;s certificate not trusted by this service",
                         'Valid timestamp, timestamp authority not trusted by this service',
                         'OtherServiceTimestamp', 'Gaibu Kensetsu Timestamp Authority', NOT_TRUSTED):
            self.assertIn(expected, html)
        self.assertNotIn(EXTERNAL_NOTE, html)

        # Through an envelope, under our signatures and final timestamp, the same file is valid with a note.
        contract = self.complete(self.draft_with(stamped))
        wizard = self.verify_contract(contract)
        self.assertEqual(wizard.verdict, 'valid_with_external')
        html = str(wizard.report_html)
        for expected in (VALID_WITH_EXTERNAL, EXTERNAL_NOTE, 'OtherServiceTimestamp',
                         'Valid timestamp, timestamp authority not trusted by this service'):
            self.assertIn(expected, html)
        self.assertNotIn(NOT_TRUSTED, html)
        self.assert_valid_with_a_note(contract)
        batch = self.verify_archived_day(contract)
        self.assertEqual((batch.valid_count, batch.external_count, batch.failed_count), (1, 1, 0))
        self.assertEqual(batch.timestamp_count, 4, "their document timestamp, our two signatures', our final one")

    def test_tampering_after_completion_is_invalid(self):
        """A contract signed elsewhere gets no leniency once its bytes change: changed signed
        content, or content drawn over a page, is 'Problems found' everywhere."""
        contract = self.complete(self.draft_with(self.signed_by_contractor(timestamper=self.party_tsa)))
        self.assertEqual(self.verify_contract(contract).verdict, 'valid_with_external')
        final = contract.document_ids._read_pdf()
        position = final.index(b'stream\n') + 40  # inside the first revision, signed by everyone
        flipped = final[:position] + bytes([final[position] ^ 0x20]) + final[position + 1:]
        for tampered, verdict, problem, said in (
                (flipped, 'invalid', 'were changed', 'Invalid: the signed bytes were changed'),
                (add_overlay(final), 'modified', 'The document was changed after', 'Changed after signing: ')):
            with self.subTest(verdict=verdict):
                # Someone with database access points the archived document at the tampered file.
                blob = self.env['esign.vault.blob'].sudo()._store(tampered, 'tampered.pdf')
                self.env.cr.execute('UPDATE esign_contract_document SET blob_id = %s WHERE id = %s',
                                    [blob.id, contract.document_ids.id])
                self.env.invalidate_all()
                wizard = self.verify_contract(contract)
                self.assertEqual(wizard.verdict, verdict)
                self.assertTrue(contract.document_ids.verification_message.startswith(said),
                                'the archive says what is wrong in words, not the verdict code')
                self.assertNotIn(EXTERNAL_NOTE, str(wizard.report_html))
                self.assertEqual((contract.verification_state, contract.document_ids.verification_state),
                                 ('invalid', 'invalid'))
                batch = self.verify_archived_day(contract)
                self.assertEqual((batch.valid_count, batch.external_count, batch.failed_count), (0, 0, 1))
                self.assertIn(problem, batch.line_ids.problem)
                self.assertEqual(contract.document_ids.verification_state, 'invalid')

    def test_signed_pdf_takes_no_text_field(self):
        envelope = self.draft_with(self.signed_by_contractor())
        contractor = envelope.signer_ids.sorted('signing_order')[0]
        self.env['esign.field'].with_user(self.officer).create({
            'document_id': envelope.document_ids.id, 'signer_id': contractor.id, 'field_type': 'text',
            'label': 'Company', 'page': 1, 'x1': 72, 'y1': 600, 'x2': 320, 'y2': 624})
        with self.assertRaisesRegex(UserError, 'is already signed elsewhere: only signature fields'):
            envelope.with_user(self.officer).action_send()
        self.assert_nothing_sent(envelope)

    # -- (b) certified: form filling and signing allowed ----------------------------------------

    def test_certified_pdf_takes_invisible_signatures_only(self):
        theirs = self.signed_by_contractor(certify=MDPPerm.FILL_FORMS)
        envelope = self.draft_with(theirs, visible=True)
        with self.assertRaises(UserError) as caught:
            envelope.with_user(self.officer).action_send()
        message = caught.exception.args[0]
        self.assertIn('"Service agreement" is certified by its author for form filling and signing only', message)
        self.assertIn('Set the signature type of its signers to Invisible signature.', message)
        self.assert_nothing_sent(envelope)

        envelope.signer_ids.with_user(self.officer).write({'signature_type': 'invisible'})
        self.complete(envelope)
        status = self.assert_theirs_and_ours_valid(envelope.document_ids._read_pdf('current'), envelope, theirs)
        self.assertEqual(status.modification_level, ModificationLevel.FORM_FILLING)
        reader = PdfFileReader(io.BytesIO(envelope.document_ids._read_pdf('current')))
        self.assertEqual(reader.embedded_regular_signatures[0].docmdp_level, MDPPerm.FILL_FORMS)

    # -- (c) certified with no changes allowed ----------------------------------------------------

    def test_no_changes_certification_is_refused_at_upload(self):
        sealed = self.signed_by_contractor(certify=MDPPerm.NO_CHANGES)
        envelope = self.create_envelope(documents={}, signers=[])
        Document = self.env['esign.document'].with_user(self.officer)
        blobs = self.env['esign.vault.blob'].sudo().search_count([])
        # assertRaises (not ...Regex) rolls back to a savepoint, as the request would.
        with self.assertRaises(UserError) as caught:
            Document.create({'envelope_id': envelope.id, 'name': 'Sealed', 'pdf_upload': base64.b64encode(sealed)})
        self.assertIn('"Sealed" is already signed, and its signature (a certification "no changes allowed") forbids '
                      'any change', caught.exception.args[0])
        self.assertFalse(envelope.document_ids, 'the refused file was not kept')
        self.assertEqual(self.env['esign.vault.blob'].sudo().search_count([]), blobs, 'nothing was stored')
        with self.assertRaises(UserError) as caught:
            Document.with_context(lang='ja_JP').create({
                'envelope_id': envelope.id, 'name': '封印済み', 'pdf_upload': base64.b64encode(sealed)})
        self.assertIn('「封印済み」には、以後の変更を一切認めない認証', caught.exception.args[0])

    def test_no_changes_certification_that_slipped_in_is_refused_at_sending(self):
        """A file stored without the upload check (an older record, a restore): sending checks again."""
        envelope = self.draft_with(self.signed_by_contractor())
        document = envelope.document_ids
        document._write_pdf('original', self.signed_by_contractor(certify=MDPPerm.NO_CHANGES))
        with self.assertRaisesRegex(UserError, 'forbids any change'):
            envelope.with_user(self.officer).action_send()
        self.assert_nothing_sent(envelope)

    # -- (d) a signature already broken, or the file changed after it was signed ------------------

    def broken_copies(self, theirs):
        """Their file with a byte of the signed page content changed, and with content drawn
        over a page after signing: what the archive would show as "Problems found" for good."""
        position = theirs.index(b'stream\n') + 40  # inside page 1's content, under their signature
        flipped = theirs[:position] + bytes([theirs[position] ^ 0x01]) + theirs[position + 1:]
        return flipped, add_overlay(theirs)

    def test_broken_signature_is_refused_at_upload(self):
        theirs = self.signed_by_contractor(timestamper=self.party_tsa)
        envelope = self.create_envelope(documents={}, signers=[])
        Document = self.env['esign.document'].with_user(self.officer)
        blobs = self.env['esign.vault.blob'].sudo().search_count([])
        for broken in self.broken_copies(theirs):
            # assertRaises (not ...Regex) rolls back to a savepoint, as the request would.
            with self.assertRaises(UserError) as caught:
                Document.create({'envelope_id': envelope.id, 'name': 'Service agreement',
                                 'pdf_upload': base64.b64encode(broken)})
            self.assertIn('"Service agreement" is already signed, but its signature is no longer valid: the signed '
                          'content was changed, or the file was changed after it was signed.', caught.exception.args[0])
            self.assertIn('Ask the sender for the original signed file and upload that.', caught.exception.args[0])
            with self.assertRaises(UserError) as caught:
                Document.with_context(lang='ja_JP').create({
                    'envelope_id': envelope.id, 'name': '業務委託契約書', 'pdf_upload': base64.b64encode(broken)})
            self.assertIn('「業務委託契約書」は署名済みですが、その署名は有効ではありません', caught.exception.args[0])
            self.assertIn('送付元に署名済みの元のファイルを依頼し', caught.exception.args[0])
        self.assertFalse(envelope.document_ids, 'the refused files were not kept')
        self.assertEqual(self.env['esign.vault.blob'].sudo().search_count([]), blobs, 'nothing was stored')

        # The intact file is taken, though its certification authority is not trusted here;
        # replacing it with a broken copy is refused and leaves it in place.
        document = Document.create({'envelope_id': envelope.id, 'name': 'Service agreement',
                                    'pdf_upload': base64.b64encode(theirs)})
        self.assertEqual(document.page_count, 2)
        stored = document.sudo().original_blob_id
        with self.assertRaises(UserError):
            document.write({'pdf_upload': base64.b64encode(self.broken_copies(theirs)[1])})
        self.assertEqual(document.sudo().original_blob_id, stored)
        self.assertEqual(document._read_pdf('original'), theirs)

    def test_broken_signature_that_slipped_in_is_refused_at_sending(self):
        """A file stored without the upload check (an older record, a restore): sending checks again."""
        theirs = self.signed_by_contractor()
        envelope = self.draft_with(theirs)
        envelope.document_ids._write_pdf('original', self.broken_copies(theirs)[1])
        with self.assertRaisesRegex(UserError, r'"Service agreement" is already signed, but its signature is no '
                                               r'longer valid'):
            envelope.with_user(self.officer).action_send()
        self.assert_nothing_sent(envelope)

    # -- (e) a signature this service cannot verify ------------------------------------------------

    def test_sha1_signature_is_refused_as_unverifiable(self):
        """Signed elsewhere with SHA-1, as older signing software does: intact, but not verifiable
        here. The clerk is told that, not that the file was changed; nothing is stored."""
        theirs = self.signed_by_contractor(md_algorithm='sha1')
        envelope = self.create_envelope(documents={}, signers=[])
        Document = self.env['esign.document'].with_user(self.officer)
        blobs = self.env['esign.vault.blob'].sudo().search_count([])
        # assertRaises (not ...Regex) rolls back to a savepoint, as the request would.
        with self.assertRaises(UserError) as caught:
            Document.create({'envelope_id': envelope.id, 'name': 'Service agreement',
                             'pdf_upload': base64.b64encode(theirs)})
        message = caught.exception.args[0]
        self.assertIn('"Service agreement" is already signed, but its signature uses an outdated algorithm (such as '
                      'SHA-1, no longer considered secure) or a format that this service cannot verify', message)
        self.assertIn('Ask the sender for the file signed with a current algorithm (such as SHA-256)', message)
        self.assertNotIn('changed', message)
        with self.assertRaises(UserError) as caught:
            Document.with_context(lang='ja_JP').create({
                'envelope_id': envelope.id, 'name': '業務委託契約書', 'pdf_upload': base64.b64encode(theirs)})
        self.assertIn('「業務委託契約書」は署名済みですが、その署名には古いアルゴリズム（現在は安全とされない SHA-1 など）',
                      caught.exception.args[0])
        self.assertIn('送付元に現在のアルゴリズム（SHA-256 など）で署名したファイルを依頼し', caught.exception.args[0])
        # The same file with a byte of the signed content changed: broken, whatever its algorithm.
        with self.assertRaises(UserError) as caught:
            Document.create({'envelope_id': envelope.id, 'name': 'Service agreement',
                             'pdf_upload': base64.b64encode(self.broken_copies(theirs)[0])})
        self.assertIn('its signature is no longer valid: the signed content was changed', caught.exception.args[0])
        self.assertFalse(envelope.document_ids, 'the refused files were not kept')
        self.assertEqual(self.env['esign.vault.blob'].sudo().search_count([]), blobs, 'nothing was stored')

    def test_sha1_signature_that_slipped_in_is_refused_at_sending(self):
        """A file stored without the upload check (an older record, a restore): sending checks again."""
        envelope = self.draft_with(self.signed_by_contractor())
        envelope.document_ids._write_pdf('original', self.signed_by_contractor(md_algorithm='sha1'))
        with self.assertRaisesRegex(UserError, r'"Service agreement" is already signed, but its signature uses an '
                                               r'outdated algorithm \(such as SHA-1'):
            envelope.with_user(self.officer).action_send()
        self.assert_nothing_sent(envelope)

    def assert_nothing_sent(self, envelope):
        self.assertEqual(envelope.state, 'draft')
        self.assertFalse(envelope.document_ids.sudo().current_blob_id, 'no prepared PDF was kept')
        self.assertFalse(self.env['mail.mail'].sudo().search_count(
            [('model', '=', 'esign.signer'), ('res_id', 'in', envelope.signer_ids.ids)]))
