"""Text, date and checkbox fields: created empty before signing, filled with
an appearance drawn in an embedded CJK font when their signer signs."""
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import RawContent
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.text import TextBox, TextBoxStyle

from .errors import SigningError

FLAG_REQUIRED = 2
ANNOT_PRINT = 4
CHECK_ON = '/Yes'
# A font every viewer has, for viewers that redraw a field themselves; our
# own appearance streams embed the CJK font.
_VIEWER_FONT = '/Helv'


def enumerate_fields(handler):
    """(full name, field dict, reference) of every terminal field."""
    form = handler.root.get('/AcroForm')
    if form is None:
        return
    yield from _walk(form.get_object().get('/Fields', ()), '')


def _walk(kids, prefix):
    for ref in kids:
        obj = ref.get_object()
        partial = obj.get('/T')
        name = f'{prefix}.{partial}' if prefix and partial else (partial or prefix)
        children = [k for k in obj.get('/Kids', ()) if '/T' in k.get_object()]
        if children:
            yield from _walk(children, name)
        elif partial is not None or prefix:
            yield str(name), obj, ref


def find_field(handler, name):
    for field_name, _obj, ref in enumerate_fields(handler):
        if field_name == name:
            return ref
    return None


def _acroform(writer):
    root = writer.root
    if '/AcroForm' not in root:
        root['/AcroForm'] = writer.add_object(generic.DictionaryObject({pdf_name('/Fields'): generic.ArrayObject()}))
        writer.update_root()
    form = root['/AcroForm']
    if '/DR' not in form:
        helvetica = generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/Font'), pdf_name('/Subtype'): pdf_name('/Type1'),
            pdf_name('/BaseFont'): pdf_name('/Helvetica'), pdf_name('/Encoding'): pdf_name('/WinAnsiEncoding')})
        form['/DR'] = generic.DictionaryObject({pdf_name('/Font'): generic.DictionaryObject(
            {pdf_name(_VIEWER_FONT): writer.add_object(helvetica)})})
    form.setdefault(pdf_name('/DA'), pdf_string(f'{_VIEWER_FONT} 0 Tf 0 g'))
    if '/Fields' not in form:
        form['/Fields'] = generic.ArrayObject()
    writer.update_container(form)
    return form


def _box(rect):
    x1, y1, x2, y2 = rect
    return layout.BoxConstraints(width=x2 - x1, height=y2 - y1)


def _xobject(writer, commands, rect):
    return writer.add_object(RawContent(commands, box=_box(rect)).as_form_xobject())


def create_field(writer, spec):
    """Add an empty text/date/checkbox field (merged with its widget) on its page."""
    form = _acroform(writer)
    page_ref = writer.find_page_for_modification(spec.page)[0]
    field = generic.DictionaryObject({
        pdf_name('/Type'): pdf_name('/Annot'),
        pdf_name('/Subtype'): pdf_name('/Widget'),
        pdf_name('/T'): pdf_string(spec.name),
        pdf_name('/Rect'): generic.ArrayObject(generic.FloatObject(v) for v in spec.rect),
        pdf_name('/F'): generic.NumberObject(ANNOT_PRINT),
        pdf_name('/P'): page_ref,
        pdf_name('/Ff'): generic.NumberObject(FLAG_REQUIRED if spec.required else 0),
    })
    if spec.label:
        field['/TU'] = pdf_string(spec.label)
    if spec.kind == 'checkbox':
        field['/FT'] = pdf_name('/Btn')
        field['/V'] = field['/AS'] = pdf_name('/Off')
        field['/MK'] = generic.DictionaryObject({pdf_name('/CA'): pdf_string('4')})
        # The state dictionary is indirect: pyHanko's modification analysis
        # expects /AP /N to be a reference when a later update changes /AS.
        states = writer.add_object(generic.DictionaryObject({
            pdf_name(CHECK_ON): _xobject(writer, _checkbox_commands(spec.rect, checked=True), spec.rect),
            pdf_name('/Off'): _xobject(writer, _checkbox_commands(spec.rect, checked=False), spec.rect),
        }))
        field['/AP'] = generic.DictionaryObject({pdf_name('/N'): states})
    else:
        field['/FT'] = pdf_name('/Tx')
        field['/DA'] = pdf_string(f'{_VIEWER_FONT} 10 Tf 0 g')
        field['/AP'] = generic.DictionaryObject({pdf_name('/N'): _xobject(writer, b'', spec.rect)})
    ref = writer.add_object(field)
    fields = form['/Fields']
    fields.append(ref)
    writer.update_container(fields)
    writer.register_annotation(page_ref, ref)
    return ref


def _checkbox_commands(rect, checked):
    x1, y1, x2, y2 = rect
    w, h = x2 - x1, y2 - y1
    frame = b'q 0.6 g 0.75 w 0.5 0.5 %g %g re S Q' % (w - 1, h - 1)
    if not checked:
        return frame
    # a tick drawn with paths: needs no font
    tick = b'q 0 g %g w 1 J 1 j %g %g m %g %g l %g %g l S Q' % (
        max(1.0, min(w, h) / 8), w * 0.2, h * 0.5, w * 0.42, h * 0.22, w * 0.82, h * 0.8)
    return frame + b' ' + tick


def fill_values(writer, values, font_factory):
    """Set each field's value and draw its appearance. values: {name: value}.

    Text and date values are strings; checkbox values are truthy/falsy.
    """
    for name, value in values.items():
        ref = find_field(writer, name)
        if ref is None:
            raise SigningError('unknown_field', f'the PDF has no field named {name}')
        field = ref.get_object()
        kind = field.get('/FT')
        if kind == '/Btn':
            state = pdf_name(CHECK_ON if value else '/Off')
            field['/V'] = field['/AS'] = state
            # A fresh copy of the state dictionary, made in the signing update:
            # pyHanko's modification analysis flags a locked field whose
            # appearance object predates the signature that locks it.
            states = field['/AP']['/N']
            field['/AP'] = generic.DictionaryObject({pdf_name('/N'): writer.add_object(
                generic.DictionaryObject({key: states.raw_get(key) for key in states}))})
        elif kind == '/Tx':
            text = '' if value is None else str(value)
            field['/V'] = pdf_string(text)
            field['/AP'] = generic.DictionaryObject({pdf_name('/N'): writer.add_object(
                _text_appearance(writer, text, [float(v) for v in field['/Rect']], font_factory))})
        else:
            raise SigningError('unknown_field', f'{name} is not a text, date or checkbox field')
        writer.update_container(field)


def _text_appearance(writer, text, rect, font_factory):
    box = _box(rect)
    lines = max(1, text.count('\n') + 1)
    font_size = max(4.0, min(11.0, (box.height - 2) / (lines * 1.2)))
    style = TextBoxStyle(
        font=font_factory, font_size=font_size, leading=font_size * 1.2,
        box_layout_rule=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=2, right=2, top=1, bottom=1)))
    text_box = TextBox(style, writer, box=box)
    text_box.content = text
    return text_box.as_form_xobject()
