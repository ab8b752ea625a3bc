"""The life of an envelope: send, invite, remind, sign, decline, cancel, expire, complete.

Kept apart from esign_envelope.py (fields and CRUD) because this is where the
flow lives; both files define the same model, esign.envelope.
"""
import datetime
import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import pdf_engine
from .esign_envelope import OPEN_STATES, jst_today

_logger = logging.getLogger(__name__)

TEMPLATE_INVITATION = 'esign_municipal.mail_template_signature_request'
TEMPLATE_REMINDER = 'esign_municipal.mail_template_signature_reminder'
TEMPLATE_COMPLETED = 'esign_municipal.mail_template_completed'
TEMPLATE_DECLINED = 'esign_municipal.mail_template_declined'
TEMPLATE_CANCELLED = 'esign_municipal.mail_template_cancelled'
TEMPLATE_EXPIRED = 'esign_municipal.mail_template_expired'


class EsignEnvelope(models.Model):
    _inherit = 'esign.envelope'

    # -- sending -------------------------------------------------------------

    def action_send(self):
        """Checks everything, prepares every field of every document up front,
        and asks the first signer(s). One transaction: all or nothing."""
        self.check_access('write')
        with self.env['esign.key.custody']._kek_scope(self.company_id):
            for envelope in self:
                envelope._esign_check_sendable()
            for envelope in self:
                envelope._esign_prepare_documents()
                envelope._esign_write({'state': 'sent', 'sent_at': fields.Datetime.now(), 'send_queued': False})
                envelope.signer_ids._esign_record_invited_email()
                envelope._esign_subscribe_internal_signers()
                envelope.message_post(body=self.env._('Envelope sent.'))
                envelope._esign_log('send')
                envelope._esign_invite_next()
        return True

    def _esign_check_sendable(self):
        """Raises one UserError listing every problem that prevents sending."""
        self.ensure_one()
        _ = self.env._
        if self.state != 'draft':
            raise UserError(_('The envelope %s has already been sent.', self.display_name))
        problems = []
        if not self.document_ids:
            problems.append(_('Add at least one PDF document.'))
        if not self.signer_ids:
            problems.append(_('Add at least one signer.'))
        if self.expiry_date and self.expiry_date < jst_today():
            problems.append(_('The expiry date %s is in the past.', self.expiry_date))
        for signer in self.signer_ids:
            if not signer._esign_has_valid_email():
                problems.append(_('%s has no valid email address: the signature request could not be delivered.',
                                  signer.name))
            signatures = signer.field_ids.filtered(lambda f: f.field_type == 'signature')
            if not signatures:
                problems.append(_('%s has no signature field. Place one on a document.', signer.name))
            for document in signer.field_ids.document_id - signatures.document_id:
                problems.append(_('%(signer)s has fields on "%(document)s" but no signature field there.',
                                  signer=signer.name, document=document.name))
        for document in self.document_ids:
            if not document.has_file:
                problems.append(_('"%s" has no PDF file.', document.name))
                continue
            try:
                info = pdf_engine.inspect_pdf(self.env, document._read_pdf('original'), document.name)
            except UserError as exc:
                problems.append(exc.args[0])
                continue
            for field in document.field_ids.filtered(lambda f: f.page > info.page_count):
                problems.append(_('"%(document)s" has %(count)s page(s); a field is on page %(page)s.',
                                  document=document.name, count=info.page_count, page=field.page))
            # A PDF signed elsewhere takes only the fields its signatures allow.
            try:
                pdf_engine.check_field_specs(self.env, info, [f._esign_field_spec() for f in document.field_ids],
                                             document.name)
            except UserError as exc:
                problems.append(exc.args[0])
        if problems:
            raise UserError(_('The envelope %s cannot be sent yet:', self.display_name) + '\n- '
                            + '\n- '.join(problems))

    def _esign_prepare_documents(self):
        """Creates every field of every signer in every PDF before any signature
        (later steps only fill values and sign, in incremental updates)."""
        for document in self.document_ids:
            specs = [field._esign_field_spec() for field in document.field_ids]
            prepared = pdf_engine.prepare_pdf(self.env, document._read_pdf('original'), specs, document.name)
            document._write_pdf('current', prepared)

    def _esign_subscribe_internal_signers(self):
        partners = self.signer_ids.filtered('user_id').partner_id
        if partners:
            self.message_subscribe(partner_ids=partners.ids)

    def _esign_next_signers(self):
        """Who is asked now: everyone waiting (parallel), or the lowest order
        number once nobody is still signing (in order)."""
        self.ensure_one()
        waiting = self.signer_ids.filtered(lambda s: s.state == 'waiting')
        if self.signing_mode == 'parallel' or not waiting:
            return waiting
        if self.signer_ids.filtered(lambda s: s.state in ('invited', 'pending')):
            return waiting.browse()
        first = min(waiting.mapped('signing_order'))
        return waiting.filtered(lambda s: s.signing_order == first)

    def _esign_invite_next(self):
        self.ensure_one()
        signers = self._esign_next_signers()
        if signers:
            signers._esign_invite()
        return signers

    # -- reminders and resending --------------------------------------------

    def action_remind(self):
        self.check_access('write')
        reminded = self.env['esign.signer']
        for envelope in self:
            if envelope.state not in OPEN_STATES:
                raise UserError(self.env._('Only envelopes waiting for signatures can be reminded.'))
            reminded |= envelope.signer_ids.filtered(lambda s: s.state == 'invited')
        reminded._esign_remind()
        return True

    @api.model
    def _cron_send_reminders(self):
        days = int(self.env['ir.config_parameter'].sudo().get_param('esign_municipal.reminder_interval_days', 3))
        if days <= 0:
            return
        due = fields.Datetime.now() - datetime.timedelta(days=days)
        signers = self.env['esign.signer'].sudo().search([
            ('state', '=', 'invited'),
            ('envelope_id.state', 'in', OPEN_STATES),
            ('envelope_id.expiry_date', '>=', jst_today()),
            ('invited_at', '<=', due),
            '|', ('last_reminder_at', '=', False), ('last_reminder_at', '<=', due),
        ])
        signers._esign_remind()

    # -- cancel, decline, expire ---------------------------------------------

    def action_cancel_wizard(self):
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Cancel envelope'),
            'res_model': 'esign.cancel.wizard',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_envelope_id': self.id},
        }

    def _esign_cancel(self, reason):
        """Cancels a draft or open envelope; the signers already asked are told why."""
        self.check_access('write')
        reason = (reason or '').strip()
        if not reason:
            raise UserError(self.env._('Enter the reason for cancelling: it is sent to the signers.'))
        for envelope in self:
            if envelope.state not in ('draft',) + OPEN_STATES:
                raise UserError(self.env._('The envelope %s can no longer be cancelled.', envelope.display_name))
            told = envelope.signer_ids.filtered(lambda s: s.state in ('invited', 'pending', 'signed'))
            envelope._esign_write({'state': 'cancelled', 'cancel_reason': reason, 'send_queued': False})
            envelope.signer_ids._esign_revoke_tokens()
            told._esign_send_mail(TEMPLATE_CANCELLED)
            envelope.activity_ids.unlink()
            envelope.message_post(body=Markup('%s<br/>%s') % (
                self.env._('Envelope cancelled. Reason:'), reason))
            envelope._esign_log('cancel', reason=reason)
        return True

    def _esign_declined_by(self, signer):
        """A signer declined: the envelope stops and everyone involved is told."""
        self.ensure_one()
        self._esign_write({'state': 'declined'})
        self.signer_ids._esign_revoke_tokens()
        others = self.signer_ids.filtered(lambda s: s != signer and s.state in ('invited', 'pending', 'signed'))
        others._esign_send_mail(TEMPLATE_DECLINED, declined_by=signer.name, decline_reason=signer.decline_reason)
        self.activity_ids.unlink()
        self.message_post(
            body=Markup('%s<br/>%s') % (
                self.env._('%s declined to sign. Reason:', signer.name), signer.decline_reason),
            partner_ids=self.user_id.partner_id.ids, subtype_xmlid='mail.mt_comment')

    @api.model
    def _cron_expire(self):
        envelopes = self.sudo().search([('state', 'in', OPEN_STATES), ('expiry_date', '<', jst_today())])
        for envelope in envelopes:
            # Someone who signed still learns that the contract did not come about.
            told = envelope.signer_ids.filtered(lambda s: s.state in ('invited', 'pending', 'signed'))
            envelope._esign_write({'state': 'expired'})
            envelope.signer_ids._esign_revoke_tokens('sign')
            told._esign_send_mail(TEMPLATE_EXPIRED)
            envelope.activity_ids.unlink()
            envelope.message_post(
                body=self.env._('The expiry date passed before every signer signed: the envelope expired.'),
                partner_ids=envelope.user_id.partner_id.ids, subtype_xmlid='mail.mt_comment')
            envelope._esign_log('expire')

    # -- after each signature, and the end -----------------------------------

    def _esign_lock(self):
        """Serializes the signing steps of one envelope.

        The UPDATE takes the row lock; a concurrent transaction that already
        read the envelope then fails with a serialization error when it tries
        the same, and Odoo retries it on a fresh snapshot that includes this
        signature. SELECT ... FOR UPDATE alone would not: a lock that changed
        nothing does not invalidate the other transaction's snapshot.
        """
        self.ensure_one()
        # The serialization failure is expected and retried: not an error for the log.
        self.env.cr.execute(
            'UPDATE esign_envelope SET signing_revision = signing_revision + 1 WHERE id = %s', [self.id],
            log_exceptions=False)
        self.invalidate_recordset()
        self.signer_ids.invalidate_recordset()
        self.document_ids.invalidate_recordset()

    def _esign_after_signature(self, signer):
        self.ensure_one()
        if self.state == 'sent':
            self._esign_write({'state': 'in_progress'})
        if all(s.state == 'signed' for s in self.signer_ids):
            self._esign_finalize()
        else:
            self._esign_invite_next()

    def _esign_finalize(self):
        """Adds validation data and a document timestamp to every document
        (PAdES B-LTA), then tells every party. A TSA outage leaves it pending
        for the retry cron."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                timestamper = self._esign_timestamper()
                context = self._esign_validation_context()
                for document in self.document_ids:
                    final = pdf_engine.finalize(document._read_pdf('current'), timestamper=timestamper,
                                                validation_context=context)
                    document._write_pdf('current', final)
        except Exception as exc:
            if not pdf_engine.is_transient_timestamp_failure(exc):
                raise pdf_engine.signing_user_error(self.env, exc) or exc
            _logger.warning('Envelope %s: final timestamp unavailable (%s); will retry', self.number, exc)
            if not self.finalize_pending:
                self._esign_write({'finalize_pending': True})
                self.message_post(body=self.env._(
                    'Everyone has signed. The timestamp authority could not be reached for the final '
                    'timestamp; it is retried automatically.'))
            return False
        self._esign_write({'state': 'completed', 'completed_at': fields.Datetime.now(), 'finalize_pending': False})
        self.signer_ids._esign_revoke_tokens('sign')
        self._esign_notify_completed()
        self._esign_on_completed()
        self._esign_log('complete')
        return True

    def _esign_notify_completed(self):
        """「電子署名完了のお知らせ」 to every party, each with their own download link."""
        urls = {signer.id: signer._esign_download_url(signer._esign_issue_token('download', 'complete'))
                for signer in self.signer_ids}
        self.signer_ids._esign_send_mail(TEMPLATE_COMPLETED, urls=urls, secret_kind='completed')
        self.activity_ids.unlink()
        self.message_post(body=self.env._('All signers have signed: the envelope is completed.'),
                          partner_ids=self.user_id.partner_id.ids, subtype_xmlid='mail.mt_comment')

    def _esign_on_completed(self):
        """Hook for what follows completion (the purchase order gets the signed PDFs)."""
        self.ensure_one()
        if self.purchase_order_id:
            self.purchase_order_id._esign_attach_signed(self)

    @api.model
    def _cron_retry_pending(self):
        """Applies signatures and final timestamps that waited for the TSA."""
        for signer in self.env['esign.signer'].sudo().search([('state', '=', 'pending')]):
            signer.envelope_id._esign_lock()
            if signer.state == 'pending' and signer.envelope_id.state in OPEN_STATES:
                signer._esign_apply_signature()
        for envelope in self.sudo().search([('finalize_pending', '=', True), ('state', 'in', OPEN_STATES)]):
            envelope._esign_lock()
            envelope._esign_finalize()

    # -- internal approvers sign from the back office ------------------------

    def _esign_my_signer(self):
        """The signer the logged-in user is (their contact, and the address the request went to), when it
        is their turn."""
        self.ensure_one()
        return self.signer_ids.filtered(
            lambda s: s.state == 'invited' and s._esign_is_logged_in_signer(self.env.user))[:1]

    def action_sign_as_me(self):
        return self._esign_my_signer_wizard('esign.approve.wizard', self.env._('Sign %s', self.display_name))

    def action_decline_as_me(self):
        return self._esign_my_signer_wizard('esign.decline.wizard', self.env._('Decline %s', self.display_name))

    def _esign_my_signer_wizard(self, model, title):
        self.ensure_one()
        signer = self._esign_my_signer()
        if not signer:
            raise UserError(self.env._('You have no signature to give on this envelope right now.'))
        return {
            'type': 'ir.actions.act_window',
            'name': title,
            'res_model': model,
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_signer_id': signer.id},
        }

    can_sign_as_me = fields.Boolean(compute='_compute_can_sign_as_me', string='I can sign')

    @api.depends_context('uid')
    @api.depends('signer_ids.state', 'signer_ids.user_id', 'signer_ids.invited_email')
    def _compute_can_sign_as_me(self):
        for envelope in self:
            envelope.can_sign_as_me = bool(envelope._esign_my_signer())

    def action_apply_template(self):
        self.ensure_one()
        self._esign_check_draft()
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._('Start from a template'),
            'res_model': 'esign.template.apply.wizard',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_envelope_id': self.id},
        }
