"""The emailed one-time code (認証コード, メール認証) on the signer's side: send and check.

Results are plain codes the portal turns into messages; the rate limits
live in esign.portal.throttle (shared by all HTTP workers).
"""
import datetime

from odoo import fields, models

TEMPLATE_OTP = 'esign_municipal.mail_template_otp_code'
# A fresh, still active code is not replaced before this delay (double clicks, impatience).
RESEND_DELAY = datetime.timedelta(seconds=30)
OTP_DEFAULTS = {'length': 6, 'attempts': 5, 'minutes': 10}
OTP_BOUNDS = {'length': (6, 10), 'attempts': (1, 10), 'minutes': (1, 60)}


class EsignSigner(models.Model):
    _inherit = 'esign.signer'

    def _esign_otp_settings(self):
        """{'length', 'attempts', 'minutes'} from Settings, kept within sane bounds."""
        params = self.env['ir.config_parameter'].sudo()
        settings = {}
        for key, default in OTP_DEFAULTS.items():
            try:
                value = int(params.get_param(f'esign_municipal.otp_{key}', default))
            except (TypeError, ValueError):
                value = default
            low, high = OTP_BOUNDS[key]
            settings[key] = min(max(value, low), high)
        return settings

    def _esign_otp_current(self):
        """The signer's latest code record (whatever its state), or an empty recordset."""
        self.ensure_one()
        return self.env['esign.signer.otp'].sudo().search([('signer_id', '=', self.id)], limit=1, order='id desc')

    def _esign_otp_send(self, request_info):
        """Mails a new code. Returns 'sent', 'too_soon' (an active code was
        sent moments ago) or 'limit' (too many codes for this signer or from
        this address)."""
        self.ensure_one()
        signer = self.sudo()
        throttle = self.env['esign.portal.throttle'].sudo()
        ip = request_info.get('ip') or '-'
        current = signer._esign_otp_current()
        if current.state == 'active' and not current._is_expired() \
                and current.create_date > fields.Datetime.now() - RESEND_DELAY:
            return 'too_soon'
        if throttle._esign_is_blocked('otp_send_signer', signer.id) or throttle._esign_is_blocked('otp_send_ip', ip):
            return 'limit'
        throttle._esign_count('otp_send_signer', signer.id)
        throttle._esign_count('otp_send_ip', ip)
        settings = signer._esign_otp_settings()
        _record, code = self.env['esign.signer.otp']._issue(signer, settings['length'], settings['minutes'], ip)
        # The code is valid minutes, not the hour the mail queue may wait: the queue runs at once.
        signer._esign_send_mail(TEMPLATE_OTP, secret_kind='otp', esign_otp_code=code,
                                esign_otp_minutes=settings['minutes'])
        signer.envelope_id._esign_log('otp_sent', signer=signer, request_info=request_info)
        return 'sent'

    def _esign_otp_verify(self, code, request_info):
        """Checks an entered code. Returns (result, tries left) with result in
        'ok', 'wrong', 'locked', 'expired', 'no_code' or 'limit' (too many
        wrong codes from this address)."""
        self.ensure_one()
        signer = self.sudo()
        throttle = self.env['esign.portal.throttle'].sudo()
        ip = request_info.get('ip') or '-'
        if throttle._esign_is_blocked('otp_fail_ip', ip):
            return 'limit', 0
        current = signer._esign_otp_current()
        if not current or current.state in ('used', 'replaced'):
            return 'no_code', 0
        if current.state == 'locked':
            return 'locked', 0
        if current._is_expired():
            return 'expired', 0
        code = (code or '').strip()
        if len(code) <= 32 and current._matches(code):
            current.write({'state': 'used'})
            signer.envelope_id._esign_log('otp_verified', signer=signer, request_info=request_info)
            return 'ok', 0
        throttle._esign_count('otp_fail_ip', ip)
        left = current._count_wrong_entry(signer._esign_otp_settings()['attempts'])
        signer.envelope_id._esign_log('otp_failed', signer=signer, request_info=request_info,
                                      attempts=current.attempts)
        if not left:
            signer.envelope_id._esign_log('otp_locked', signer=signer, request_info=request_info)
            return 'locked', 0
        return 'wrong', left
