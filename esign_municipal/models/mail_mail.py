"""Mails that carry a signer's secret: a signing or download link, or a one-time code.

Such a mail (esign_secret_kind set) is the only place the clear secret ever
exists, so it must not outlive its sending:
- the mail.message every mail.mail is built on keeps no body (whoever may read
  the signer may read that message); the text is only in body_html, which only
  administrators read, while the mail waits in the queue;
- it is deleted once sent (auto_delete, forced) and also when sending fails:
  a failed mail would otherwise stay in the database, link included, for
  anyone to retry. The envelope's chatter and the operation log then say that
  the mail was not delivered, without the link.
"""
import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

SECRET_KINDS = [
    ('invitation', 'Signature request'),
    ('reminder', 'Reminder'),
    ('otp', 'One-time code'),
    ('completed', 'Download link'),
]


class MailMail(models.Model):
    _inherit = 'mail.mail'

    esign_secret_kind = fields.Selection(
        SECRET_KINDS, string='Electronic contract secret', readonly=True, copy=False, index='btree_not_null',
        help='The mail carries a signing or download link, or a one-time code: it is deleted once sent or failed.')

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get('esign_secret_kind'):
                vals['body'] = False
                vals['auto_delete'] = True
        return super().create(vals_list)

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        undelivered = self.browse()
        if failure_type:
            undelivered = self.filtered(lambda mail: mail.esign_secret_kind and mail.state == 'exception')
        reports = [(mail.esign_secret_kind, mail.model, mail.res_id) for mail in undelivered]
        result = super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type)
        undelivered.exists().sudo().unlink()
        for kind, model, res_id in reports:
            _logger.warning('e-contract mail (%s) to %s #%s not delivered and deleted: %s (%s)',
                            kind, model, res_id, failure_reason, failure_type)
            if model == 'esign.signer':
                self.env['esign.signer'].sudo().browse(res_id).exists()._esign_mail_undelivered(kind, failure_type)
        return result

    @api.autovacuum
    def _gc_esign_secret_mails(self):
        # Whatever went around the hook above (a mail cancelled by hand, one
        # marked failed by another module) goes too, and so do failed mails
        # with a link from before mails said what they carry.
        self.sudo().search([
            ('state', 'in', ('exception', 'cancel')), '|', ('esign_secret_kind', '!=', False),
            '&', ('model', '=', 'esign.signer'), ('body_html', 'ilike', '/esign/'),
        ]).unlink()
