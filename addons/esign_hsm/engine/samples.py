"""A one-page PDF made on the spot, for the tests and the benchmark (no binary fixture in the repository)."""
import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter


def one_page_pdf(text='Hello'):
    """A valid A4 PDF showing `text` (ASCII) in Helvetica."""
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
