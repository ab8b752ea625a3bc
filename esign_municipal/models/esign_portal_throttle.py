import datetime

from odoo import api, fields, models

# (maximum, window in seconds) per kind of counted event. Only failures and
# code requests are counted, never successful page views, so signers who do
# nothing wrong never touch these rows.
LIMITS = {
    # wrong or unknown link tokens, from one address on one route (sign or
    # download). Never per signer: strangers guessing at a signer's id must
    # not lock the real signer out of their emailed link.
    'token_ip': (20, 600),
    # one-time codes
    'otp_send_signer': (5, 3600),   # codes mailed to one signer
    'otp_send_ip': (20, 3600),      # codes requested from one address
    'otp_fail_ip': (30, 3600),      # wrong codes entered from one address
    'verify_ip': (20, 3600),        # anonymous signature verifications (/esign/verify) from one address
}


class EsignPortalThrottle(models.Model):
    """Fixed-window counters for the signing portal's rate limits.

    Kept in the database because Odoo's HTTP workers are separate
    processes: a counter in memory would let an attacker spread guesses
    over the workers. One row per key, updated with a single upsert.
    """
    _name = 'esign.portal.throttle'
    _description = 'Signing portal rate-limit counter'

    key = fields.Char(required=True, index=True)
    window_start = fields.Datetime(required=True)
    count = fields.Integer(required=True, default=0)

    _sql_constraints = [('key_unique', 'UNIQUE (key)', 'One counter per key.')]

    @api.model
    def _window_floor(self, kind):
        return fields.Datetime.now() - datetime.timedelta(seconds=LIMITS[kind][1])

    @api.model
    def _esign_is_blocked(self, kind, ident):
        """True when `ident` (an address or a signer id) used up its allowance of `kind`."""
        self.env.cr.execute(
            'SELECT count FROM esign_portal_throttle WHERE key = %s AND window_start > %s',
            [f'{kind}:{ident}', self._window_floor(kind)])
        row = self.env.cr.fetchone()
        return bool(row) and row[0] >= LIMITS[kind][0]

    @api.model
    def _esign_count(self, kind, ident):
        """Counts one event of `kind` for `ident`; returns the count in the current window."""
        now = fields.Datetime.now()
        self.env.cr.execute("""
            INSERT INTO esign_portal_throttle (key, window_start, count, create_uid, create_date, write_uid, write_date)
            VALUES (%(key)s, %(now)s, 1, %(uid)s, %(now)s, %(uid)s, %(now)s)
            ON CONFLICT (key) DO UPDATE SET
                count = CASE WHEN esign_portal_throttle.window_start <= %(floor)s
                             THEN 1 ELSE esign_portal_throttle.count + 1 END,
                window_start = CASE WHEN esign_portal_throttle.window_start <= %(floor)s
                                    THEN %(now)s ELSE esign_portal_throttle.window_start END,
                write_date = %(now)s
            RETURNING count
        """, {'key': f'{kind}:{ident}', 'now': now, 'uid': self.env.uid, 'floor': self._window_floor(kind)})
        return self.env.cr.fetchone()[0]

    @api.autovacuum
    def _gc_old_windows(self):
        self.env.cr.execute("DELETE FROM esign_portal_throttle WHERE window_start < %s",
                            [fields.Datetime.now() - datetime.timedelta(days=1)])
