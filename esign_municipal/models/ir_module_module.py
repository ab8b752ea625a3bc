from odoo import models

ADDON = 'esign_municipal'


class IrModuleModule(models.Model):
    _inherit = 'ir.module.module'

    def button_uninstall(self):
        """Refuses at once, before anything is marked, to uninstall the addon
        (itself or through an addon it depends on) while its archive must be
        kept; the uninstall hook checks again when the removal really runs."""
        if ADDON in (self | self.downstream_dependencies()).mapped('name'):
            self.env['esign.contract']._esign_check_uninstall()
        return super().button_uninstall()
