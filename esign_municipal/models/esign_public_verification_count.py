"""How many PDFs anonymous visitors verified on the public page, per day.

An anonymous upload is not an event of a contract: one hash-chained
operation-log row each would let anyone grow the chain (and the work of
sealing and verifying it) without bound, and bury the real events. The
page counts them here instead (details in the server log), and the daily
job that timestamps the log writes one chained row per past day with its
count.
"""
from odoo import api, fields, models

from ..engine.jst import jst_date


class EsignPublicVerificationCount(models.Model):
    _name = 'esign.public.verification.count'
    _description = 'Public signature verifications per day'
    _order = 'day desc'
    _rec_name = 'day'

    day = fields.Date(string='Day (Japan)', required=True, readonly=True)
    count = fields.Integer(string='Verifications', required=True, readonly=True, default=0)
    logged = fields.Boolean(string='In the operation log', readonly=True,
                            help='The day is over and its count was written to the operation log.')

    _sql_constraints = [('day_unique', 'UNIQUE (day)', 'One count per day.')]

    @api.model
    def _esign_count_upload(self):
        """One more anonymous verification today (one statement, safe across workers)."""
        self.env.cr.execute("""
            INSERT INTO esign_public_verification_count (day, count, logged, create_uid, create_date, write_uid,
                                                         write_date)
            VALUES (%(day)s, 1, FALSE, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC')
            ON CONFLICT (day) DO UPDATE SET count = esign_public_verification_count.count + 1
            RETURNING count
        """, {'day': jst_date(None), 'uid': self.env.uid})
        return self.env.cr.fetchone()[0]

    @api.model
    def _esign_log_past_days(self):
        """One operation-log row per finished day not logged yet."""
        days = self.sudo().search([('day', '<', jst_date(None)), ('logged', '=', False)], order='day')
        Log = self.env['esign.operation.log']
        for day in days:
            Log._esign_record('public_verifications', day=day.day.isoformat(), count=day.count)
        days.write({'logged': True})
        return days
