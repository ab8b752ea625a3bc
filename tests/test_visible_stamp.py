"""A visible signature (可視署名) actually shows: the page is rasterized with
pdftoppm and the stamp's box must hold ink where it was blank before."""
import io
import subprocess
import tempfile

from PIL import Image, ImageDraw

import samples
from esign_municipal.engine import witness
from esign_municipal.engine.fields import FieldSpec
from esign_municipal.engine.pdf_prepare import prepare_pdf
from esign_municipal.engine.stamp import Stamp
from signing_support import assert_signed_pdf_ok, pki, pki_server, signer, timestamper, tsa  # noqa: F401

DPI = 72  # one pixel per point: the field rectangle maps directly
BOX = (320, 60, 520, 130)


def rasterize(data, page=1):
    with tempfile.TemporaryDirectory() as tmp:
        with open(f'{tmp}/doc.pdf', 'wb') as handle:
            handle.write(data)
        subprocess.run(['pdftoppm', '-r', str(DPI), '-f', str(page), '-l', str(page), '-png',
                        f'{tmp}/doc.pdf', f'{tmp}/page'], check=True, timeout=120)
        with open(f'{tmp}/page-{page}.png', 'rb') as handle:
            return Image.open(io.BytesIO(handle.read())).convert('RGB')


def box_pixels(image, box):
    x1, y1, x2, y2 = box
    height = image.height
    # PDF origin is bottom-left, image origin top-left; stay 3 px inside the border
    return list(image.crop((x1 + 3, height - y2 + 3, x2 - 3, height - y1 - 3)).getdata())


def dark(pixels):
    return sum(1 for r, g, b in pixels if r + g + b < 300)


def red(pixels):
    return sum(1 for r, g, b in pixels if r > 150 and g < 100 and b < 100)


def prepared_page():
    # blank where the stamp goes: the sample text stops above y=150
    return prepare_pdf(samples.simple_pdf(1, japanese=True),
                       [FieldSpec('FIELD_1_1', 'signature', 0, BOX, signer_key=1, visible=True)])


def test_name_and_date_stamp_in_japanese_shows(pki, signer, timestamper):
    prepared = prepared_page()
    assert dark(box_pixels(rasterize(prepared), BOX)) == 0
    signed = witness.sign_for_signer(prepared, field_name='FIELD_1_1', values={}, signer=signer,
                                     timestamper=timestamper, reason='r', signer_name='山田 太郎',
                                     stamp=Stamp(text='山田 太郎\n2021年10月7日 承認'))
    assert_signed_pdf_ok(signed, pki, signatures=['FIELD_1_1'])
    ink = dark(box_pixels(rasterize(signed), BOX))
    # Japanese glyphs render as real strokes (an unembedded font would draw nothing)
    assert ink > 150, ink
    # the same box with ASCII only draws fewer strokes: the kanji are really there
    ascii_only = witness.sign_for_signer(prepared, field_name='FIELD_1_1', values={}, signer=signer,
                                         timestamper=timestamper, reason='r', stamp=Stamp(text='.\n.'))
    assert dark(box_pixels(rasterize(ascii_only), BOX)) < ink / 3


def test_seal_image_stamp_shows(pki, signer, timestamper):
    seal = Image.new('RGB', (120, 120), 'white')
    ImageDraw.Draw(seal).ellipse((5, 5, 115, 115), outline=(200, 0, 0), width=10)
    png = io.BytesIO()
    seal.save(png, format='PNG')
    prepared = prepared_page()
    signed = witness.sign_for_signer(prepared, field_name='FIELD_1_1', values={}, signer=signer,
                                     timestamper=timestamper, reason='r', stamp=Stamp(image=png.getvalue()))
    assert_signed_pdf_ok(signed, pki, signatures=['FIELD_1_1'])
    assert red(box_pixels(rasterize(signed), BOX)) > 300


def test_filled_japanese_text_field_shows(pki, signer, timestamper):
    text_box = (100, 60, 300, 80)
    prepared = prepare_pdf(samples.simple_pdf(1), [
        FieldSpec('FIELD_1_1', 'signature', 0, BOX, signer_key=1),
        FieldSpec('TEXT_1_1_1', 'text', 0, text_box, signer_key=1)])
    signed = witness.sign_for_signer(prepared, field_name='FIELD_1_1', values={'TEXT_1_1_1': '東京都千代田区'},
                                     signer=signer, timestamper=timestamper, reason='r')
    assert_signed_pdf_ok(signed, pki, signatures=['FIELD_1_1'])
    assert dark(box_pixels(rasterize(signed), text_box)) > 40
    assert dark(box_pixels(rasterize(prepared), text_box)) == 0
