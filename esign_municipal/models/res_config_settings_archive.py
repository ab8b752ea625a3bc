from odoo import fields, models

SIMPLE_TYPES = ('char', 'integer', 'float', 'boolean', 'selection', 'many2one', 'text', 'date', 'monetary')
SECRET_WORDS = ('password', 'pin', 'secret', 'token', 'key')


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    esign_renewal_months = fields.Integer(
        string='Renew archive timestamps (months before expiry)',
        config_parameter='esign_municipal.renewal_months', default=12,
        help='An archived document gets a renewal timestamp (延長タイムスタンプ) when the certificate of the '
             'authority that made its newest timestamp expires within this many months.')
    esign_public_verification = fields.Boolean(
        string='Public signature verification page',
        config_parameter='esign_municipal.public_verification',
        help='Anyone, without logging in, can upload a signed PDF at /esign/verify and read the signature '
             'report. Every upload is logged; the files are not kept.')

    def set_values(self):
        """Every change of an e-contract setting goes into the operation log
        (what changed, before and after; secrets only as "changed")."""
        # Only what set_values saves (a system parameter or a company field):
        # a helper of the form (the font list) is not a setting of its own.
        names = [name for name, field in self._fields.items()
                 if name.startswith('esign_') and field.type in SIMPLE_TYPES and not field.readonly
                 and (getattr(field, 'config_parameter', None) or field.related)]
        before = self.create({}) if names else None
        previous = {name: _plain(before[name]) for name in names} if before else {}
        super().set_values()
        changes = {}
        for name in names:
            old, new = previous.get(name), _plain(self[name])
            if old != new:
                secret = any(word in name for word in SECRET_WORDS)
                changes[name] = {'before': '***' if secret else old, 'after': '***' if secret else new}
        if changes:
            self.env['esign.operation.log']._esign_record('settings', res_model='res.config.settings',
                                                          changes=changes)


def _plain(value):
    if isinstance(value, models.BaseModel):
        return value.display_name or False
    return value or False
