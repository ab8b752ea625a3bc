from odoo import api, models

# Settings whose name holds one of these words are logged as changed, never with their value.
SECRET_WORDS = ('password', 'pin', 'secret', 'token', 'key')
# Shown as changed, never with their value.
OPAQUE_TYPES = ('binary', 'one2many', 'many2many', 'html', 'json', 'properties')


class EsignSettingsAuditMixin(models.AbstractModel):
    """Configuration records of electronic contracts (timestamp authorities,
    witness keys, contract types): every creation, change and deletion goes
    into the operation log as a settings change, secrets masked."""
    _name = 'esign.settings.audit.mixin'
    _description = 'Logged configuration record'

    def _esign_shown(self, name):
        field = self._fields.get(name)
        if field is None or any(word in name for word in SECRET_WORDS) or field.type in OPAQUE_TYPES:
            return '***'
        value = self[name]
        if isinstance(value, models.BaseModel):
            return value.display_name or False
        return value if value not in (None, False) else False

    def _esign_log_settings(self, action, changes):
        Log = self.env['esign.operation.log']
        for record in self:
            Log._esign_record('settings', res_model=self._name, res_id=record.id, action=action,
                              record=record.display_name, changes=changes.get(record.id, {}))

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._esign_log_settings('create', {
            record.id: {name: {'after': record._esign_shown(name)} for name in vals}
            for record, vals in zip(records, vals_list)})
        return records

    def write(self, vals):
        names = [name for name in vals if not name.startswith(('message_', 'activity_'))]
        before = {record.id: {name: record._esign_shown(name) for name in names} for record in self}
        result = super().write(vals)
        changes = {}
        for record in self:
            after = {name: record._esign_shown(name) for name in names}
            changed = {name: {'before': before[record.id][name], 'after': after[name]} for name in names
                       if before[record.id][name] != after[name] or after[name] == '***'}
            if changed:
                changes[record.id] = changed
        self.filtered(lambda record: record.id in changes)._esign_log_settings('write', changes)
        return result

    def unlink(self):
        self._esign_log_settings('unlink', {})
        return super().unlink()
