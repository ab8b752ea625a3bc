"""Which fonts may draw visible stamps and filled fields: the Japanese fonts
installed on the server, and the check an administrator's choice must pass.
Plain Python (no Odoo).

A font is named by a *spec*: the absolute path of a TrueType or OpenType
file, followed by ``#N`` for face N of a collection (.ttc), e.g.
``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#0``. A collection
named without ``#N`` means its first face.
"""
import io
import os
import shutil
import subprocess

from fontTools import ttLib

from .errors import EngineError

FACE_SEPARATOR = '#'
# Kana, katakana and the kanji of every stamp and date (山田 太郎 / 2021年10月7日 承認 / 日本):
# a font lacking any of them would draw holes where the clerk expects text.
JAPANESE_SAMPLE = 'あいうえおアイウエオ日本年月日承認署名山田太郎'
# When fontconfig is missing (a slim image): the Debian packages the README names.
KNOWN_FONTS = (
    ('/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf', 'IPAexGothic'),
    ('/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf', 'IPAexMincho'),
    ('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#0', 'Noto Sans CJK JP'),
    ('/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc#0', 'Noto Serif CJK JP'),
)
FC_LIST_TIMEOUT = 10
# Fonts that map no Kangxi radical onto an ideograph's glyph: what wkhtmltopdf writes
# with them is extracted as it is shown (文書, not ⽂書). IPAex and Noto CJK do map them.
# Debian: fonts-morisawa-bizud-gothic, fonts-ipafont-gothic.
SEARCHABLE_TEXT_FAMILIES = ('BIZ UDPGothic', 'IPAPGothic')
# The font used while the administrator has chosen none: Debian fonts-ipaexfont.
DEFAULT_CANDIDATES = (
    '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf',
    '/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf',
    '/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf',
)


class FontRejected(EngineError):
    """The spec does not name a usable Japanese font. ``code``: 'missing' (no
    such file, or not an absolute path), 'not_font' (not a TrueType/OpenType
    font, or no such face in the collection), 'no_japanese' (the font lacks
    Japanese glyphs; ``missing_chars`` lists them)."""

    def __init__(self, code, message, missing_chars=''):
        super().__init__(code, message)
        self.missing_chars = missing_chars


def default_font_path():
    for path in DEFAULT_CANDIDATES:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError('no CJK font found: install the Debian package fonts-ipaexfont')


def default_font_spec():
    """The spec of the font used while none is chosen, or False when none is installed."""
    try:
        return os.path.realpath(default_font_path())
    except FileNotFoundError:
        return False


def split_spec(spec):
    """(path, face index) of a font spec."""
    path, separator, face = (spec or '').strip().rpartition(FACE_SEPARATOR)
    if separator and face.isdigit():
        return path, int(face)
    return (spec or '').strip(), 0


def open_face(spec, lazy=True):
    """The font named by `spec` as a fontTools TTFont, or FontRejected."""
    path, face = split_spec(spec)
    if not path or not os.path.isabs(path) or not os.path.isfile(path):
        raise FontRejected('missing', f'no font file at {path!r}')
    try:
        font = ttLib.TTFont(path, fontNumber=face, lazy=lazy)
        font.getBestCmap()  # decodes the character map: garbage fails here
    except Exception as exc:  # fontTools raises many types for a non-font file
        raise FontRejected('not_font', f'{path!r} face {face} is not a TrueType/OpenType font: {exc}') from None
    if font.flavor:  # WOFF/WOFF2: web fonts, not embeddable as they are
        raise FontRejected('not_font', f'{path!r} is a {font.flavor} web font')
    return font


def check_font(spec):
    """The family name of the font `spec` names, once it is shown to be a
    TrueType/OpenType font with Japanese glyphs; FontRejected otherwise."""
    font = open_face(spec)
    cmap = font.getBestCmap() or {}
    missing = ''.join(char for char in JAPANESE_SAMPLE if ord(char) not in cmap)
    if missing:
        raise FontRejected('no_japanese', f'{spec!r} has no glyphs for {missing}', missing_chars=missing)
    return font['name'].getDebugName(1) or os.path.basename(split_spec(spec)[0])


def face_bytes(spec):
    """The bytes of a standalone font file for `spec`: a collection's face is
    written out on its own, since pyHanko embeds single fonts only."""
    path, face = split_spec(spec)
    with open(path, 'rb') as handle:
        data = handle.read()
    if not data.startswith(b'ttcf'):
        return data
    buffer = io.BytesIO()
    ttLib.TTFont(io.BytesIO(data), fontNumber=face, lazy=True).save(buffer)
    return buffer.getvalue()


def installed_japanese_fonts():
    """[(spec, label)] of the Japanese fonts installed on this server, sorted
    by label: fontconfig's list when there is one, else the known paths. Of a
    collection, only the Japanese faces (family names ending in JP) are
    offered; a file under two names (Debian alternatives) once, by its real path."""
    found = _fc_list() if shutil.which('fc-list') else None
    if found is None:
        found = [(spec, label) for spec, label in KNOWN_FONTS if os.path.isfile(split_spec(spec)[0])]
    unique = {}
    for spec, label in found:
        path, face = split_spec(spec)
        real = os.path.realpath(path)
        unique.setdefault(f'{real}{FACE_SEPARATOR}{face}' if spec != path else real, label)
    return sorted(unique.items(), key=lambda item: (item[1].casefold(), item[0]))


def _fc_list():
    try:
        result = subprocess.run(
            ['fc-list', '-f', '%{file}\t%{index}\t%{family[0]}\t%{style[0]}\n', ':lang=ja'],
            capture_output=True, text=True, timeout=FC_LIST_TIMEOUT, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    fonts = []
    for line in result.stdout.splitlines():
        parts = line.split('\t')
        if len(parts) != 4 or not parts[0].lower().endswith(('.ttf', '.otf', '.ttc')):
            continue
        path, index, family, style = parts
        collection = path.lower().endswith('.ttc')
        if collection and not family.endswith('JP'):
            continue
        spec = f'{path}{FACE_SEPARATOR}{index}' if collection else path
        fonts.append((spec, f'{family} {style}'.strip()))
    return fonts


def installed_searchable_text_families():
    """The SEARCHABLE_TEXT_FAMILIES fontconfig finds on this server, in that order
    (empty when none is installed, or fontconfig is missing)."""
    if not shutil.which('fc-list'):
        return []
    try:
        result = subprocess.run(['fc-list', '-f', '%{family}\n', ':lang=ja'], capture_output=True, text=True,
                                timeout=FC_LIST_TIMEOUT, check=True)
    except (OSError, subprocess.SubprocessError):
        return []
    names = {name.strip() for line in result.stdout.splitlines() for name in line.split(',')}
    return [family for family in SEARCHABLE_TEXT_FAMILIES if family in names]
