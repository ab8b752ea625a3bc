"""Form fields an envelope places on its PDFs, and their agreed names."""
from dataclasses import dataclass

KINDS = ('signature', 'text', 'date', 'checkbox')
# An invisible signature field has no place on the page, but FieldSpec wants a rectangle.
INVISIBLE_RECT = (0, 0, 1, 1)


@dataclass(frozen=True)
class FieldSpec:
    """One field on one page.

    rect: (x1, y1, x2, y2) in PDF points, origin at the page's bottom-left.
    visible: signature fields only; an invisible one (the default) gets a
    zero-size widget, a visible one keeps `rect` for the stamp (可視署名).
    signer_key: the signer the field belongs to; the signer's signature field
    locks (FieldMDP) that signer's other fields once signed.
    """
    name: str
    kind: str
    page: int
    rect: tuple
    label: str = ''
    required: bool = False
    signer_key: object = None
    visible: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f'unknown field kind {self.kind!r}')
        x1, y1, x2, y2 = self.rect
        if x2 <= x1 or y2 <= y1:
            raise ValueError(f'field {self.name}: empty rectangle {self.rect}')


def field_spec(*, name, kind, page, rect, label='', required=False, signer_key=None, visible=False):
    """The FieldSpec of a field as the database keeps it (an invisible signature has no rectangle)."""
    if kind == 'signature' and not visible:
        rect = INVISIBLE_RECT
    return FieldSpec(name=name, kind=kind, page=page, rect=tuple(rect), label=label, required=required,
                     signer_key=signer_key, visible=visible)


def signature_field_name(envelope, signer):
    return f'FIELD_{envelope}_{signer}'


def form_field_name(kind, envelope, signer, field_id):
    return f'{kind.upper()}_{envelope}_{signer}_{field_id}'
