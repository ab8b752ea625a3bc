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
        uploads = self._esign_uploads()
        files = [(attachment.name, base64.b64decode(attachment.datas or b'')) for attachment in uploads]
        values = {
            'name': self.name, 'reference': self.reference, 'transaction_date': self.transaction_date,
            'currency_id': self.currency_id.id, 'amount': self.amount, 'partner_id': self.partner_id.id,
            'contract_type_id': self.contract_type_id.id, 'department': self.department,
            'company_id': self.company_id.id,
        }
        contract = self.env['esign.contract']._esign_register(values, files)
        # The uploads served their purpose: the archive keeps its own encrypted copies.
        uploads.unlink()
        return {'type': 'ir.actions.act_window', 'res_model': 'esign.contract', 'res_id': contract.id,
                'view_mode': 'form', 'target': 'main'}

    def _esign_uploads(self):
        """The files of this dialog, as superuser: only the PDFs this user
        uploaded in it (the upload widget attaches them to the wizard's model,
        before the wizard exists or to it), never another file the client names,
        which the wizard would read and delete."""
        attachments = self.attachment_ids.sudo()
        uploads = attachments.filtered(lambda attachment: attachment.res_model == self._name
                                       and attachment.res_id in (0, self.id)
                                       and attachment.create_uid == self.env.user
                                       and not attachment.res_field)
        if uploads != attachments:
            raise UserError(self.env._('Only the PDF files uploaded in this dialog can be registered: add the '
                                       'contract from your computer.'))
        return uploads
