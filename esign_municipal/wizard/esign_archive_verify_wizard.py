import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import archive_guard
from ..engine.jst import jst_date

_logger = logging.getLogger(__name__)


class EsignArchiveVerifyWizard(models.TransientModel):
    """Batch timestamp verification: every document archived in a period is
    checked again (each of its timestamps intact, valid and trusted, and the
    document unchanged since), with counts and the failures listed."""
    _name = 'esign.archive.verify.wizard'
    _description = 'Verify the timestamps of archived documents'

    date_from = fields.Date(string='Archived from', required=True,
                            default=lambda self: fields.Date.subtract(jst_date(None), months=1))
    date_to = fields.Date(string='Archived until', required=True, default=lambda self: jst_date(None))
    state = fields.Selection([('draft', 'To verify'), ('done', 'Verified')], default='draft', required=True)
    document_count = fields.Integer(string='Documents checked', readonly=True)
    timestamp_count = fields.Integer(string='Timestamps checked', readonly=True)
    valid_count = fields.Integer(string='Documents valid', readonly=True)
    external_count = fields.Integer(
        string='Of which with signatures made elsewhere', readonly=True,
        help='Valid documents that also carry signatures or timestamps of another party or service: intact, but '
             'from a certification authority this service does not vouch for.')
    failed_count = fields.Integer(string='Documents with problems', readonly=True)
    line_ids = fields.One2many('esign.archive.verify.line', 'wizard_id', string='Failures', readonly=True)

    @api.constrains('date_from', 'date_to')
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(self.env._('The start of the period must come before its end.'))

    def action_verify(self):
        self.ensure_one()
        documents = self.env['esign.contract.document']._esign_archived_between(self.date_from, self.date_to)
        result = documents._esign_verify_timestamps()
        self.write({
            'state': 'done',
            'document_count': result['documents'],
            'timestamp_count': result['timestamps'],
            'valid_count': result['documents'] - len(result['failures']),
            'external_count': result['external'],
            'failed_count': len(result['failures']),
            'line_ids': [(5, 0, 0)] + [(0, 0, {'document_id': document.id, 'problem': problem})
                                       for document, problem in result['failures']],
        })
        return {'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': self.id, 'view_mode': 'form',
                'target': 'new', 'name': self.env._('Verify archived timestamps')}


class EsignArchiveVerifyLine(models.TransientModel):
    _name = 'esign.archive.verify.line'
    _description = 'Archived document that failed verification'

    wizard_id = fields.Many2one('esign.archive.verify.wizard', required=True, ondelete='cascade')
    document_id = fields.Many2one('esign.contract.document', string='Document', required=True, ondelete='cascade')
    contract_id = fields.Many2one(related='document_id.contract_id', string='Contract')
    problem = fields.Char(string='Problem')
