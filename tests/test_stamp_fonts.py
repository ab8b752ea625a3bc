"""The font an administrator chooses for stamps and filled fields: what the
server offers, what the check refuses, and that a stamp drawn with each
installed kind of font (TrueType file, OpenType face of a collection) shows."""
import io
import subprocess
import tempfile

import pytest
from fontTools import subset, ttLib

from esign_municipal.engine import font_catalog, witness
from esign_municipal.engine.font_catalog import FontRejected, check_font, installed_japanese_fonts
from esign_municipal.engine.font_catalog import default_font_path
from esign_municipal.engine.stamp import Stamp
from signing_support import assert_signed_pdf_ok, pki, pki_server, signer, timestamper, tsa  # noqa: F401
from test_visible_stamp import BOX, box_pixels, dark, prepared_page, rasterize

MINCHO = '/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf'
NOTO_SANS_JP = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#0'


def pdf_fonts(data):
    """The base font names poppler finds in the PDF (page resources and annotation appearances)."""
    with tempfile.NamedTemporaryFile(suffix='.pdf') as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run(['pdffonts', handle.name], capture_output=True, text=True, timeout=60, check=True)
    return {line.split()[0].partition('+')[2] or line.split()[0] for line in result.stdout.splitlines()[2:]}


def embeds(data, postscript):
    # a composite font is listed as <PostScript name>-Identity-H
    return any(name.startswith(postscript) for name in pdf_fonts(data))


def test_the_installed_japanese_fonts_are_offered_once_each():
    offered = dict(installed_japanese_fonts())
    # Debian fonts-ipaexfont and fonts-noto-cjk (scripts/lib.sh installs both)
    assert offered[MINCHO].startswith('IPAexMincho')
    assert offered[NOTO_SANS_JP] == 'Noto Sans CJK JP Regular'
    # the KR/SC/TC/HK faces of the collection are not offered, nor the alternatives symlinks
    assert not [spec for spec in offered if 'NotoSansCJK-Regular.ttc#1' in spec]
    assert not [spec for spec in offered if 'fonts-japanese-gothic' in spec]
    for spec in offered:
        assert check_font(spec)


def test_the_check_names_the_family_of_a_good_font():
    assert check_font(MINCHO) == 'IPAexMincho'
    assert check_font(NOTO_SANS_JP) == 'Noto Sans CJK JP'


@pytest.mark.parametrize('spec, code', [
    ('/usr/share/fonts/no-such-font.ttf', 'missing'),
    ('ipaexm.ttf', 'missing'),  # relative: depends on where Odoo was started
    ('/etc', 'missing'),
    ('/etc/hostname', 'not_font'),
    ('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#99', 'not_font'),
])
def test_the_check_refuses_what_is_not_a_font(spec, code):
    with pytest.raises(FontRejected) as caught:
        check_font(spec)
    assert caught.value.code == code


def test_the_check_refuses_a_font_without_japanese(tmp_path):
    # IPAexGothic cut down to ASCII: a perfectly good TrueType font for Latin text only
    font = ttLib.TTFont(default_font_path())
    subsetter = subset.Subsetter()
    subsetter.populate(unicodes=range(0x20, 0x7f))
    subsetter.subset(font)
    latin = tmp_path / 'latin-only.ttf'
    font.save(str(latin))
    with pytest.raises(FontRejected) as caught:
        check_font(str(latin))
    assert caught.value.code == 'no_japanese'
    assert 'あ' in caught.value.missing_chars


def test_a_collection_face_is_written_out_as_a_single_font():
    data = font_catalog.face_bytes(NOTO_SANS_JP)
    assert not data.startswith(b'ttcf')
    assert ttLib.TTFont(io.BytesIO(data))['name'].getDebugName(1) == 'Noto Sans CJK JP'


@pytest.mark.parametrize('spec, postscript', [(MINCHO, 'IPAexMincho'), (NOTO_SANS_JP, 'NotoSansCJKjp-Regular')])
def test_a_stamp_in_the_chosen_font_shows(pki, signer, timestamper, spec, postscript):
    prepared = prepared_page()
    assert not embeds(prepared, postscript)
    signed = witness.sign_for_signer(prepared, field_name='FIELD_1_1', values={}, signer=signer,
                                     timestamper=timestamper, reason='r', signer_name='山田 太郎',
                                     stamp=Stamp(text='山田 太郎\n2021年10月7日 承認'), font_path=spec)
    assert_signed_pdf_ok(signed, pki, signatures=['FIELD_1_1'])
    # the chosen font, not the default, is embedded, and its kanji are drawn:
    # far more ink than the same box with two dots (Mincho's strokes are thin)
    assert embeds(signed, postscript)
    ink = dark(box_pixels(rasterize(signed), BOX))
    dots = witness.sign_for_signer(prepared, field_name='FIELD_1_1', values={}, signer=signer,
                                   timestamper=timestamper, reason='r', stamp=Stamp(text='.\n.'), font_path=spec)
    assert ink > 50 and dark(box_pixels(rasterize(dots), BOX)) < ink / 3, ink


def test_fonts_whose_text_is_extracted_as_shown(tmp_path, monkeypatch):
    """BIZ UDPGothic is installed here (README, .ci/run); a fontconfig that knows no font
    directory finds none of those fonts, which the report layer then warns about."""
    assert 'BIZ UDPGothic' in font_catalog.installed_searchable_text_families()
    empty = tmp_path / 'fonts.conf'
    empty.write_text(f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path}</cachedir></fontconfig>')
    monkeypatch.setenv('FONTCONFIG_FILE', str(empty))
    assert font_catalog.installed_searchable_text_families() == []
