from odoo import api, models
from odoo.exceptions import AccessError, MissingError


class EsignWizardTargetMixin(models.AbstractModel):
    """Wizards that act on an envelope, a signer or a signer's field named by
    an id the client sends. Odoo shows the names of many2one values (and our
    wizards their details) as superuser, so the target is checked whenever a
    value for it comes in: defaults, onchange, create and write. A refusal
    never tells whether the record exists."""
    _name = 'esign.wizard.target.mixin'
    _description = 'Wizard on a checked envelope or signer'

    # {field name: checker method name}, checked for every value the client sends.
    _esign_target_checks = {}

    def _esign_check_targets(self, values):
        for field_name, checker in self._esign_target_checks.items():
            record_id = _record_id(values.get(field_name))
            if record_id:
                getattr(self, checker)(record_id)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        self._esign_check_targets(values)
        return values

    def onchange(self, values, field_names, fields_spec):
        self._esign_check_targets(values)
        return super().onchange(values, field_names, fields_spec)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._esign_check_targets(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._esign_check_targets(vals)
        return super().write(vals)

    # -- the checks ---------------------------------------------------------------------

    def _esign_check_my_signer(self, signer_id):
        """Only the signer acts for themself: the internal user of the signer,
        invited at that user's own email address, on an envelope they may see."""
        signer = self.env['esign.signer'].browse(signer_id)
        if not _readable(signer) or not _is_me(signer.sudo(), self.env.user):
            raise AccessError(self.env._(
                'Only the signer themself can sign or decline, from their own account, and only an envelope they '
                'may see.'))

    def _esign_check_my_field(self, field_id):
        field = self.env['esign.field'].browse(field_id)
        signer = field.sudo().exists().signer_id
        if not signer:
            raise AccessError(self.env._('This field is not one of yours to fill.'))
        self._esign_check_my_signer(signer.id)

    def _esign_check_cancellable_envelope(self, envelope_id):
        envelope = self.env['esign.envelope'].browse(envelope_id)
        try:
            envelope.check_access('write')
        except (AccessError, MissingError):
            raise AccessError(self.env._('You may not cancel this envelope.')) from None


def _record_id(value):
    """The id in a many2one value as clients send it (an id, {'id': ...}, (id, name))."""
    if isinstance(value, dict):
        value = value.get('id')
    elif isinstance(value, (list, tuple)):
        value = value[0] if value else False
    return value if isinstance(value, int) and not isinstance(value, bool) else False


def _readable(record):
    try:
        record.check_access('read')
    except (AccessError, MissingError):
        return False
    return bool(record.exists())


def _is_me(signer, user):
    # the same rule as the signing page: the signer's user, invited at that user's own address
    return signer._esign_is_logged_in_signer(user)
