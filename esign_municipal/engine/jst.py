"""Japan time (JST, +09:00), the one home of every time shown to people.

Odoo stores naive UTC datetimes; people (signers, clerks, the audit
certificate, the witness reason in each signature) read Japan time, and
calendar days (expiry dates, retention, daily counts) are days in Japan.
Japan has no daylight saving time: a fixed +09:00 offset is exact.
"""
import datetime

JST = datetime.timezone(datetime.timedelta(hours=9), 'JST')


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def to_jst(value):
    """An aware JST datetime from a naive UTC (Odoo) or an aware datetime; None stays None."""
    if not value:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(JST)


def format_jst(value, with_zone=True, seconds=True):
    """'2021-10-07 09:25:23 +09:00 JST' (the form of the witness reason), or '' for nothing.
    Without seconds for the signing portal, which people read at a glance."""
    moment = to_jst(value)
    if moment is None:
        return ''
    text = moment.strftime('%Y-%m-%d %H:%M:%S' if seconds else '%Y-%m-%d %H:%M')
    return f'{text} +09:00 JST' if with_zone else text


def jst_today():
    return datetime.datetime.now(JST).date()


def jst_date(value):
    """The calendar day in Japan of a naive UTC datetime (today for nothing)."""
    return to_jst(value).date() if value else jst_today()


def start_of_day_utc(day):
    """The first moment of `day` in Japan, as a naive UTC datetime (Odoo's storage)."""
    return _utc_naive(datetime.datetime.combine(day, datetime.time.min, tzinfo=JST))


def end_of_day_utc(day):
    """The last moment of `day` in Japan, as a naive UTC datetime (Odoo's storage)."""
    return _utc_naive(datetime.datetime.combine(day, datetime.time.max, tzinfo=JST))


def _utc_naive(moment):
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
