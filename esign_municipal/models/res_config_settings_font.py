from odoo import api, fields, models

from ..tools import pdf_engine

OTHER_FONT = 'custom'


class ResConfigSettings(models.TransientModel):
    """The font of visible stamps and filled text (Signing block of the 電子契約
    settings): one of the Japanese fonts installed on the server, or the path
    of another font file; checked when saved, so that signing never meets a
    font that cannot draw Japanese."""
    _inherit = 'res.config.settings'

    esign_font_choice = fields.Selection(
        selection='_esign_font_selection', string='Font for stamps and filled text',
        help='The font that draws visible stamps (the name and date of the signer) and the text signers '
             'type into fields. The Japanese fonts installed on the server are listed; choose "Another font '
             'file" to give the path of a TrueType or OpenType font.',
    )
    esign_font_path = fields.Char(
        string='Font file', config_parameter=pdf_engine.FONT_PARAM,
        help='Full path, on the Odoo server, of a TrueType or OpenType font file with Japanese characters '
             '(.ttf, .otf, or .ttc followed by #N for its face N). It is checked when you save.',
    )

    @api.model
    def _esign_font_selection(self):
        return pdf_engine.installed_fonts() + [(OTHER_FONT, self.env._('Another font file'))]

    @api.model
    def get_values(self):
        res = super().get_values()
        # (default_get reads the system parameters only after get_values)
        spec = self.env['ir.config_parameter'].sudo().get_param(pdf_engine.FONT_PARAM) or pdf_engine.default_font()
        installed = dict(pdf_engine.installed_fonts())
        res['esign_font_choice'] = spec if spec in installed else OTHER_FONT
        return res

    @api.onchange('esign_font_choice')
    def _onchange_esign_font_choice(self):
        if self.esign_font_choice and self.esign_font_choice != OTHER_FONT:
            self.esign_font_path = self.esign_font_choice

    def _esign_font_spec(self):
        """The font these settings save: the listed font chosen, else the path typed."""
        self.ensure_one()
        if self.esign_font_choice and self.esign_font_choice != OTHER_FONT:
            return self.esign_font_choice
        return (self.esign_font_path or '').strip()

    @api.constrains('esign_font_choice', 'esign_font_path')
    def _check_esign_font(self):
        for settings in self:
            spec = settings._esign_font_spec()
            if spec:
                pdf_engine.check_font(self.env, spec)

    def set_values(self):
        # What is saved is the font that was checked (and the operation log,
        # inside super(), records it). The default font shown while none was
        # chosen stays unsaved, so that saving other settings changes no font.
        saved = self.env['ir.config_parameter'].sudo().get_param(pdf_engine.FONT_PARAM)
        for settings in self:
            spec = settings._esign_font_spec()
            if not saved and spec == pdf_engine.default_font():
                spec = False
            settings.esign_font_path = spec or False
        super().set_values()
