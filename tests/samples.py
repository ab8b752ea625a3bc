"""PDFs generated for the tests and benchmarks (nothing binary in the repo)."""
import io
import os

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

JAPANESE_FONT = '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf'


def simple_pdf(pages=1, title='Contract', japanese=False):
    """An A4 PDF with `pages` pages of text (Japanese text when asked)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    font = 'Helvetica'
    if japanese:
        if 'IPAexGothic' not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont('IPAexGothic', JAPANESE_FONT))
        font = 'IPAexGothic'
    for number in range(1, pages + 1):
        pdf.setFont(font, 14)
        pdf.drawString(72, 780, f'{title} - {number}/{pages}')
        pdf.setFont(font, 10)
        body = ('本契約は、甲と乙の間で締結される業務委託契約である。' if japanese
                else 'This agreement is made between the parties named below.')
        for line in range(30):
            pdf.drawString(72, 740 - line * 20, f'{line + 1}. {body}')
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def envelope_documents():
    """The three documents of an envelope, one of them in Japanese."""
    return {
        '機密保持契約書': simple_pdf(2, '機密保持契約書', japanese=True),
        '業務委託契約書': simple_pdf(3, 'Service agreement'),
        '送付状': simple_pdf(1, 'Cover letter'),
    }


def large_pdf(target_bytes=50 * 1024 * 1024, pages=50):
    """A PDF of about target_bytes: pages with big uncompressed greyscale
    images of random noise (incompressible, as scans are)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter
    from pyhanko.pdf_utils.generic import pdf_name

    writer = PdfFileWriter()
    side = int(((target_bytes / pages) ** 0.5))
    for number in range(pages):
        image = generic.StreamObject({
            pdf_name('/Type'): pdf_name('/XObject'), pdf_name('/Subtype'): pdf_name('/Image'),
            pdf_name('/Width'): generic.NumberObject(side), pdf_name('/Height'): generic.NumberObject(side),
            pdf_name('/ColorSpace'): pdf_name('/DeviceGray'), pdf_name('/BitsPerComponent'): generic.NumberObject(8),
        }, stream_data=os.urandom(side * side))
        image_ref = writer.add_object(image)
        content = generic.StreamObject(stream_data=b'q 500 0 0 700 50 70 cm /Im0 Do Q')
        page = generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/Page'),
            pdf_name('/MediaBox'): generic.ArrayObject(generic.NumberObject(v) for v in (0, 0, 595, 842)),
            pdf_name('/Resources'): generic.DictionaryObject({pdf_name('/XObject'): generic.DictionaryObject(
                {pdf_name('/Im0'): image_ref})}),
            pdf_name('/Contents'): writer.add_object(content),
        })
        writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
