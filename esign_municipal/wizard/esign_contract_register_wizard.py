import base64

from odoo import fields, models
from odoo.exceptions import UserError


class EsignContractRegisterWizard(models.TransientModel):
    """Registers a contract signed elsewhere (another e-contract service, or
    paper and scanned): the PDFs get a document timestamp and join the archive
    with their metadata."""
    _name = 'esign.contract.register.wizard'
    _description = 'Register a contract signed elsewhere'

    name = fields.Char(string='Title', required=True)
    reference = fields.Char(string='Contract reference')
    transaction_date = fields.Date(string='Transaction date')
    currency_id = fields.Many2one('res.currency', string='Currency', required=True,
                                  default=lambda self: self.env.company.currency_id)
    amount = fields.Monetary(string='Transaction amount', currency_field='currency_id')
    partner_id = fields.Many2one('res.partner', string='Counterparty')
    contract_type_id = fields.Many2one('esign.contract.type', string='Contract type')
    department = fields.Char(string='Department')
    company_id = fields.Many2one('res.company', string='Company', required=True,
                                 default=lambda self: self.env.company)
    attachment_ids = fields.Many2many('ir.attachment', string='PDF files')

    def action_register(self):
        self.ensure_one()
        if not self.attachment_ids:
            raise UserError(self.env._('Add the PDF of the contract.'))
        files = [(attachment.name, base64.b64decode(attachment.sudo().datas or b''))
                 for attachment in self.attachment_ids]
        values = {
            'name': self.name, 'reference': self.reference, 'transaction_date': self.transaction_date,
            'currency_id': self.currency_id.id, 'amount': self.amount, 'partner_id': self.partner_id.id,
            'contract_type_id': self.contract_type_id.id, 'department': self.department,
            'company_id': self.company_id.id,
        }
        contract = self.env['esign.contract']._esign_register(values, files)
        # The uploads served their purpose: the archive keeps its own encrypted copies.
        self.attachment_ids.sudo().unlink()
        return {'type': 'ir.actions.act_window', 'res_model': 'esign.contract', 'res_id': contract.id,
                'view_mode': 'form', 'target': 'main'}
