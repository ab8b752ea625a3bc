"""Documents signed elsewhere (署名互換), shared by the Odoo tests and the
Odoo-free engine tests (tests/external_signing.py loads this file).

A contractor, or another e-contract service, signs a PDF with its own
certificate before the PDF reaches an envelope: an approval signature, or a
certification (DocMDP) that says which later changes are allowed. The
certificate comes from a PKI of its own, which the caller builds with
esign_hsm's build_pki under another name, never from the witness PKI: this
service does not trust it. Nothing here imports Odoo.
"""
import io
from dataclasses import dataclass

from asn1crypto import keys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

EXTERNAL_ORGANIZATION = '株式会社外部建設'
EXTERNAL_SIGNER = '外部 次郎'
EXTERNAL_FIELD = 'ContractorSignature'


@dataclass
class ExternalParty:
    """Someone outside the service: their PKI (root, issuing CA, TSA) and their own signing certificate."""
    pki: object  # esign_hsm.testing.pki.PKI, built under another name than the witness PKI
    person: object  # pki.Issued: the signer's certificate and key

    @property
    def signer(self):
        key = keys.PrivateKeyInfo.load(self.person.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return signers.SimpleSigner(
            signing_cert=self.person.asn1, signing_key=key,
            cert_registry=SimpleCertificateStore.from_certs([c.asn1 for c in self.pki.chain]))

    @property
    def root(self):
        return self.pki.root.cert

    def trusting_context(self):
        """A pyHanko context that trusts this party's root (what their own verifier would use)."""
        return ValidationContext(trust_roots=[self.pki.root.asn1], allow_fetching=False, revocation_mode='soft-fail')


def external_party(pki, name=EXTERNAL_SIGNER, organization=EXTERNAL_ORGANIZATION):
    """A person of `organization` with a signing certificate from `pki` (a PKI that is not the witness's)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    person = pki.issue(key.public_key(), name, 'witness', organization=organization)
    person.key = key
    return ExternalParty(pki=pki, person=person)


def sign_externally(data, party, *, field_name=EXTERNAL_FIELD, certify=None, lock=None, lock_permission=None,
                    box=None, timestamper=None, subfilter=fields.SigSeedSubFilter.PADES, before_signing=None,
                    md_algorithm='sha256'):
    """`data` signed by `party` in a new field, in one incremental update.

    certify: an MDPPerm for a certification signature (None: an approval
    signature); lock: a FieldMDPSpec and lock_permission an MDPPerm written
    into the field's /Lock; box: a visible signature's rectangle on page 1;
    timestamper: the party's own TSA, if it uses one; before_signing: a
    function of the pyHanko writer, for changes made in the same update
    (a field the party fills and locks as it signs); md_algorithm: the
    digest ('sha1': what older signing software still produces).
    """
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, subfilter=subfilter, md_algorithm=md_algorithm, reason='承認', location='東京',
        certify=certify is not None, docmdp_permissions=certify or fields.MDPPerm.FILL_FORMS)
    spec = fields.SigFieldSpec(sig_field_name=field_name, box=box, field_mdp_spec=lock,
                               doc_mdp_update_value=lock_permission)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    if before_signing is not None:
        before_signing(writer)
    return signers.PdfSigner(meta, signer=party.signer, timestamper=timestamper, new_field_spec=spec) \
        .sign_pdf(writer).getvalue()


def timestamp_externally(data, timestamper, field_name='OtherServiceTimestamp'):
    """`data` with a document timestamp of another service's TSA, as e-contract services deliver them."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    return signers.PdfTimeStamper(timestamper, field_name=field_name).timestamp_pdf(writer, 'sha256').getvalue()


def external_status(data, party, field_name=EXTERNAL_FIELD):
    """pyHanko's status of the party's signature, trusting the party's root only."""
    signature = next(sig for sig in PdfFileReader(io.BytesIO(data)).embedded_regular_signatures
                     if sig.field_name == field_name)
    return validate_pdf_signature(signature, party.trusting_context())
