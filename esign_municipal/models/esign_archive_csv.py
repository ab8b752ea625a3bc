"""CSV files for auditors: the archive list and the operation log, UTF-8 with
a byte order mark so that Excel opens the Japanese correctly."""
import csv
import datetime
import io

from odoo import api, fields, models

from ..engine.jst import format_jst

EXPORT_PREFIX = 'esign-export-'


def csv_bytes(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\r\n')
    writer.writerow(header)
    writer.writerows(rows)
    return ('\ufeff' + buffer.getvalue()).encode('utf-8')


class EsignArchiveCsv(models.AbstractModel):
    _name = 'esign.archive.csv'
    _description = 'CSV exports of the archive'

    # -- the columns -------------------------------------------------------------------

    @api.model
    def _esign_contract_header(self):
        _ = self.env._
        return [_('Contract number'), _('Title'), _('Contract reference'), _('Transaction date'),
                _('Transaction amount'), _('Currency'), _('Counterparty'), _('Contract type'), _('Department'),
                _('Origin'), _('Archived on'), _('Keep until'), _('Documents'), _('SHA-256'), _('Corrections'),
                _('Company')]

    @api.model
    def _esign_contract_rows(self, contracts):
        origins = dict(self.env['esign.contract']._fields['source']._description_selection(self.env))
        for contract in contracts:
            yield [
                contract.number, contract.name, contract.reference or '',
                fields.Date.to_string(contract.transaction_date) or '',
                '' if not contract.amount else f'{contract.amount:.{contract.currency_id.decimal_places}f}',
                contract.currency_id.name, contract.partner_id.display_name or '',
                contract.contract_type_id.name or '', contract.department or '', origins.get(contract.source, ''),
                format_jst(contract.archived_at), fields.Date.to_string(contract.retention_until),
                ' / '.join(contract.document_ids.mapped('name')),
                ' / '.join(contract.document_ids.mapped('sha256')),
                contract.correction_count, contract.company_id.name,
            ]

    @api.model
    def _esign_log_header(self):
        _ = self.env._
        return [_('Entry ID'), _('Chain position'), _('Time (JST)'), _('Event'), _('Event code'), _('User'),
                _('Signer or contact'), _('Envelope'), _('Document'), _('Contract'), _('IP address'), _('Browser'),
                _('Authentication'), _('Details'), _('Previous hash'), _('Hash'), _('Time (UTC)')]

    @api.model
    def _esign_log_rows(self, entries):
        for entry in entries:
            yield [entry.id, entry.chain_seq or '', format_jst(entry.logged_at, with_zone=False), entry.event_label,
                   entry.event, entry.user_name or '', entry.partner_name or '', entry.envelope_number or '',
                   entry.document_name or '', entry.contract_number or '', entry.ip_address or '',
                   entry.user_agent or '', entry.auth_method or '', entry.details or '', entry.prev_hash or '',
                   entry.entry_hash or '', fields.Datetime.to_string(entry.logged_at)]

    # -- downloads -----------------------------------------------------------------------

    @api.model
    def _esign_contracts_csv_action(self, contracts):
        data = csv_bytes(self._esign_contract_header(), self._esign_contract_rows(contracts))
        self.env['esign.operation.log']._esign_record('export', res_model='esign.contract', what='contracts_csv',
                                                      count=len(contracts))
        return self._esign_download(data, self.env._('contracts'))

    @api.model
    def _esign_log_csv_action(self, entries):
        data = csv_bytes(self._esign_log_header(), self._esign_log_rows(entries.sorted('id')))
        self.env['esign.operation.log']._esign_record('export', res_model='esign.operation.log',
                                                      what='operation_log_csv', count=len(entries))
        return self._esign_download(data, self.env._('operation-log'))

    @api.model
    def _esign_download(self, data, label):
        stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
        # Owned by the user who asked (attachments without a record are private
        # to their creator); removed by the autovacuum after a day.
        attachment = self.env['ir.attachment'].create({
            'name': f'{EXPORT_PREFIX}{label}-{stamp}.csv',
            'raw': data,
            'mimetype': 'text/csv',
        })
        return {'type': 'ir.actions.act_url', 'target': 'download',
                'url': f'/web/content/{attachment.id}?download=true'}

    @api.autovacuum
    def _gc_exports(self):
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=1)
        self.env['ir.attachment'].sudo().search([
            ('name', '=like', f'{EXPORT_PREFIX}%'), ('res_model', '=', False), ('create_date', '<', limit)]).unlink()
