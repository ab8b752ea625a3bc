"""Visible signature appearance (可視署名): a seal image (印影), or the signer's
name and the date in Japanese, drawn in the signature field's rectangle."""
import io
from dataclasses import dataclass

from PIL import Image
from pyhanko import stamp as pyhanko_stamp
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle

from .jst import to_jst


@dataclass(frozen=True)
class Stamp:
    """image: PNG/JPEG bytes of a seal; else `text` (default: name and date)."""
    image: bytes = None
    text: str = None


def stamp_style(stamp, *, name, when_utc, font):
    if stamp.image:
        seal = Image.open(io.BytesIO(stamp.image))
        seal.load()
        return pyhanko_stamp.StaticStampStyle(
            background=PdfImage(seal), border_width=0, background_opacity=1.0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID))
    text = stamp.text or f'{name}\n{to_jst(when_utc):%Y年%m月%d日 %H:%M} JST'
    return pyhanko_stamp.TextStampStyle(
        # the text is ours, not a template: escape pyHanko's %-interpolation
        stamp_text=text.replace('%', '%%'),
        border_width=1,
        text_box_style=TextBoxStyle(font=font, font_size=10, leading=13),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(3)),
    )
