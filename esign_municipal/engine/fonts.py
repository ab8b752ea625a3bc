"""The embedded CJK font for filled fields and stamps (Helvetica has no kana)."""
import functools
import io
import logging

from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

from .font_catalog import default_font_path, face_bytes

# fontTools' subsetter logs dozens of INFO lines for every stamp or filled field.
logging.getLogger('fontTools').setLevel(logging.WARNING)

PDF_GLYPH_UNITS = 1000


@functools.lru_cache(maxsize=2)
def _font_bytes(spec):
    return face_bytes(spec)


class CjkGlyphAccumulator(GlyphAccumulator):
    """pyHanko's glyph accumulator writes glyph widths in font units, which
    PDF reads as 1/1000 em: right for CFF fonts, but TrueType fonts such as
    IPAex (2048 units per em) come out twice as wide. Scale the font to 1000
    units so that widths and HarfBuzz advances agree with PDF's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._to_pdf_units = PDF_GLYPH_UNITS / self.units_per_em
        if self.units_per_em != PDF_GLYPH_UNITS:
            self.hb_font.scale = (PDF_GLYPH_UNITS, PDF_GLYPH_UNITS)
            self.units_per_em = PDF_GLYPH_UNITS

    def _get_cid_and_width(self, glyph_id):
        known = self._glyphs.get(glyph_id)
        if known is not None:
            return known
        cid, width = super()._get_cid_and_width(glyph_id)
        self._glyphs[glyph_id] = result = (cid, round(width * self._to_pdf_units))
        return result


class SharedFont(FontEngineFactory):
    """Hands the same glyph accumulator to every text box of one PDF update,
    so the font subset is embedded once however many fields use it.

    `font_path` is a font spec (font_catalog): a path, or path#N for a face
    of a collection; None means the first installed default."""

    def __init__(self, font_path=None):
        self.font_path = font_path or default_font_path()
        self._engine = None
        self._writer = None

    def create_font_engine(self, writer, obj_stream=None):
        if self._engine is None or self._writer is not writer:
            if obj_stream is None and writer.stream_xrefs:
                obj_stream = writer.prepare_object_stream()
            self._engine = CjkGlyphAccumulator(
                writer, io.BytesIO(_font_bytes(self.font_path)), font_size=10, obj_stream=obj_stream)
            self._writer = writer
        return self._engine
