"""What the signing portal shows a signer: their documents, fields and checklist, and where they stand.

The controllers (controllers/signing.py, download.py) stay thin: they decide
who is asking, then call these methods on the signer (as superuser) and
render the result.
"""
from collections import defaultdict

from odoo import fields, models

from .esign_envelope import OPEN_STATES, jst_today

FILLABLE_TYPES = ('text', 'date', 'checkbox')


class EsignSigner(models.Model):
    _inherit = 'esign.signer'

    # -- where the signer stands ---------------------------------------------------

    def _esign_portal_state(self):
        """Which page the signer sees: 'open' (the documents, ready to sign) or
        the reason they cannot sign now."""
        self.ensure_one()
        envelope = self.envelope_id
        if self.state in ('signed', 'pending'):
            return self.state
        if self.state == 'declined':
            return 'declined'
        if envelope.state == 'cancelled':
            return 'cancelled'
        if envelope.state == 'declined':
            return 'envelope_declined'
        if envelope.state == 'expired' or (envelope.state in OPEN_STATES and envelope.expiry_date < jst_today()):
            return 'expired'
        if envelope.state == 'completed':
            return 'completed'
        if envelope.state == 'draft':
            return 'not_sent'
        if self.state == 'waiting':
            return 'waiting'
        return 'open'

    # -- the documents, the fields and the checklist -------------------------------------

    def _esign_portal_documents(self, entered=None):
        """[{'document', 'index', 'fields': [...]}] in tab order, each field a
        dict the page and the checklist use. `entered` ({field id: value})
        refills what the signer typed when the page comes back with an error."""
        self.ensure_one()
        entered = entered or {}
        type_labels = dict(self.env['esign.field']._fields['field_type']._description_selection(self.env))
        numbers = defaultdict(int)
        documents = self.envelope_id.document_ids.sorted(lambda d: (d.sequence, d.id))
        result = []
        for index, document in enumerate(documents, 1):
            mine = self.field_ids.filtered(lambda f: f.document_id == document)
            items = []
            for field in mine.sorted(lambda f: (f.page, -f.y2, f.x1, f.id)):
                numbers[field.field_type] += 1
                fillable = field.field_type in FILLABLE_TYPES
                placed = any(field._layout_rect()) and (fillable or self.signature_type == 'visible')
                items.append({
                    'id': field.id,
                    'type': field.field_type,
                    'title': f'{type_labels[field.field_type]} {numbers[field.field_type]}',
                    'label': field.label or '',
                    'required': bool(field.required and fillable),
                    'fillable': fillable,
                    'placed': placed,
                    'page': field.page,
                    'rect': list(field._layout_rect()),
                    'value': entered.get(field.id, field.value or ''),
                })
            result.append({'document': document, 'index': index, 'fields': items})
        return result

    def _esign_portal_counts(self, documents):
        """(filled, required) for the 「必須項目: n/m」 counter."""
        required = [item for doc in documents for item in doc['fields'] if item['required']]
        filled = [item for item in required if str(item['value']).strip()]
        return len(filled), len(required)

    def _esign_masked_email(self):
        """y***@example.com: enough for the signer to recognise, little for anyone else. The address the
        request (and so the code) went to, which the contact's current email may no longer be."""
        self.ensure_one()
        local, _at, domain = (self.invited_email or self.email or '').partition('@')
        return f'{local[:1]}***@{domain}' if domain else '***'

    def _esign_jst_display(self, value):
        """A stored (UTC) datetime as people in Japan read it."""
        if not value:
            return ''
        return fields.Datetime.context_timestamp(self.with_context(tz='Asia/Tokyo'), value).strftime(
            '%Y-%m-%d %H:%M +09:00 JST')
