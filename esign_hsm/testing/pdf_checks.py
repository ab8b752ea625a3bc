"""Shared by the tests and the benchmark: a one-page PDF, a PAdES signature on it through
any pyHanko signer, and its checks by independent verifiers (pdfsig, pyHanko validation).
No binary fixture lives in the repository."""
import io
import os
import subprocess
import tempfile

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import signers as pdf_signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from ..engine.signers import to_asn1_cert


def one_page_pdf(text='Hello'):
    """A valid A4 PDF showing `text` (ASCII) in Helvetica, uncompressed."""
    writer = PdfFileWriter()
    name = generic.pdf_name
    font = writer.add_object(generic.DictionaryObject({
        name('/Type'): name('/Font'), name('/Subtype'): name('/Type1'), name('/BaseFont'): name('/Helvetica')}))
    escaped = text.replace('\\', '\\\\').replace('(', '\\(').replace(')', '\\)').encode('ascii')
    contents = writer.add_object(generic.StreamObject(stream_data=b'BT /F1 18 Tf 72 760 Td (' + escaped + b') Tj ET'))
    resources = generic.DictionaryObject({name('/Font'): generic.DictionaryObject({name('/F1'): font})})
    writer.insert_page(PageObject(contents=contents, media_box=(0, 0, 595, 842), resources=resources))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_pdf(signer, pdf, field_name='Witness'):
    """A PAdES (ETSI.CAdES.detached, SHA-256) signature, no timestamp, as one incremental update."""
    meta = pdf_signers.PdfSignatureMetadata(field_name=field_name, subfilter=SigSeedSubFilter.PADES,
                                            md_algorithm='sha256', location='日本')
    return pdf_signers.PdfSigner(meta, signer=signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf))).getvalue()


def pdfsig_report(pdf):
    """poppler's pdfsig output for pdf (certificate trust not checked: no NSS database here)."""
    with tempfile.NamedTemporaryFile(suffix='.pdf') as pdf_file:
        pdf_file.write(pdf)
        pdf_file.flush()
        return subprocess.run(['pdfsig', '-nocert', pdf_file.name], capture_output=True, text=True, check=True,
                              env=dict(os.environ, LC_ALL='C')).stdout


def pyhanko_status(pdf, trust_root):
    """pyHanko's validation status of the first signature, trusting only trust_root."""
    context = ValidationContext(trust_roots=[to_asn1_cert(trust_root)], allow_fetching=False,
                                revocation_mode='soft-fail')
    return validate_pdf_signature(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0], context)
