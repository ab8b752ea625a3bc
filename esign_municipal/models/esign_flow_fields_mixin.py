from odoo import api, models
from odoo.exceptions import UserError


class EsignFlowFieldsMixin(models.AbstractModel):
    """Fields that only the signing and archiving flow sets take no default from the client.

    Odoo's create() completes the values it is given with default_get(): the
    `default_<field>` keys of the context, which an RPC call carries as the
    client wrote them, and the user's own ir.default records, which any user
    may create. Both come from the client, and both are added after create()'s
    own checks of the values. For the fields of `_esign_flow_fields` only the
    field's default in the code counts, whoever creates: a flow that creates
    as superuser during a user's request (archiving, logging, issuing a link)
    still takes that user's own ir.default records (sudo() keeps the user; it
    drops only the context's default_ keys), and code already running as
    superuser keeps its context whole.
    """
    _name = 'esign.flow.fields.mixin'
    _description = 'Fields set only by the signing process'

    # Written only by the signing and archiving flow.
    _esign_flow_fields = frozenset()

    @api.model
    def default_get(self, fields_list):
        protected = self._esign_flow_fields.intersection(fields_list)
        defaults = super().default_get([name for name in fields_list if name not in protected])
        for name in protected:
            field = self._fields[name]
            if field.default:
                value = field.convert_to_cache(field.default(self), self, validate=False)
                defaults[name] = field.convert_to_write(value, self)
        return defaults

    def _esign_check_flow_fields(self, vals):
        """Refuses values the client gives for these fields (the flow writes them as superuser)."""
        if self._esign_flow_fields & set(vals):
            raise UserError(self._esign_flow_fields_refusal())

    def _esign_flow_fields_refusal(self):
        return self.env._('This information is recorded by the signing process and cannot be set by hand.')
