import io
import subprocess
import tempfile

from PIL import Image

from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import EsignCase

MINCHO = '/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf'
STAMP = (320, 60, 520, 130)  # PDF points, bottom-left origin; blank in make_pdf's pages
TEXT = (72, 20, 300, 44)


def poppler(command, data, *args):
    with tempfile.TemporaryDirectory() as tmp:
        with open(f'{tmp}/doc.pdf', 'wb') as handle:
            handle.write(data)
        result = subprocess.run([command, *args, f'{tmp}/doc.pdf', *([f'{tmp}/page'] if command == 'pdftoppm' else [])],
                                capture_output=True, timeout=120, check=True)
        if command == 'pdftoppm':
            with open(f'{tmp}/page-1.png', 'rb') as handle:
                return Image.open(io.BytesIO(handle.read())).convert('RGB')
        return result.stdout.decode()


def ink(image, box):
    """Dark pixels inside `box` (one pixel per point: rasterized at 72 dpi)."""
    x1, y1, x2, y2 = box
    crop = image.crop((x1 + 3, image.height - y2 + 3, x2 - 3, image.height - y1 - 3))
    return sum(1 for r, g, b in crop.getdata() if r + g + b < 300)


@tagged('post_install', '-at_install')
class TestStampFontSigning(EsignCase):
    """The font chosen in Settings draws the visible stamp and the filled text
    of a real witness signature (pdfsig-valid, rasterized by poppler)."""

    def test_the_chosen_font_draws_the_stamp_and_the_filled_text(self):
        manager = new_test_user(self.env, 'esign_manager_font', groups='esign_municipal.group_esign_manager')
        self.env['res.config.settings'].with_user(manager).create({'esign_font_choice': MINCHO}).execute()

        envelope = self.create_envelope(documents={'Contract': 1}, signers=[(self.contractor, 'contractor', 1)])
        contractor = envelope.signer_ids
        contractor.signature_type = 'visible'
        document = envelope.document_ids
        x1, y1, x2, y2 = STAMP
        contractor.field_ids.write({'x1': x1, 'y1': y1, 'x2': x2, 'y2': y2})
        text = self.env['esign.field'].with_user(self.officer).create({
            'document_id': document.id, 'signer_id': contractor.id, 'field_type': 'text', 'label': '所在地',
            'page': 1, 'x1': TEXT[0], 'y1': TEXT[1], 'x2': TEXT[2], 'y2': TEXT[3]})
        envelope.with_user(self.officer).action_send()
        before = poppler('pdftoppm', document._read_pdf('current'), '-r', '72', '-f', '1', '-l', '1', '-png')
        self.assertEqual((ink(before, STAMP), ink(before, TEXT)), (0, 0), 'both boxes are blank before signing')

        self.assertTrue(contractor._complete_signing({text.id: '東京都千代田区'}, {}))
        signed = document._read_pdf('current')
        self.assertEqual(envelope.state, 'completed')
        self.assert_signed(signed, [f'FIELD_{envelope.number}_{contractor.id}'], doc_timestamps=1)
        fonts = poppler('pdffonts', signed)
        self.assertIn('IPAexMincho', fonts, 'the chosen font is embedded')
        self.assertNotIn('IPAexGothic', fonts, 'the default font is not')
        after = poppler('pdftoppm', signed, '-r', '72', '-f', '1', '-l', '1', '-png')
        self.assertGreater(ink(after, STAMP), 50, 'the stamp (name and date in Mincho) shows')
        self.assertGreater(ink(after, TEXT), 20, 'the filled address shows')
