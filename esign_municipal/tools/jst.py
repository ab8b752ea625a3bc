"""Times shown to people are Japan time (JST, +09:00); Odoo stores naive UTC."""
import datetime

import pytz

JST = pytz.timezone('Asia/Tokyo')


def to_jst(value):
    """An aware JST datetime from a naive UTC (Odoo) or an aware datetime; None stays None."""
    if not value:
        return None
    if value.tzinfo is None:
        value = pytz.utc.localize(value)
    return value.astimezone(JST)


def format_jst(value, with_zone=True):
    """'2021-10-07 09:25:23 +09:00 JST' (the form of the witness reason), or '' for nothing."""
    moment = to_jst(value)
    if moment is None:
        return ''
    text = moment.strftime('%Y-%m-%d %H:%M:%S')
    return f'{text} +09:00 JST' if with_zone else text


def jst_date(value):
    """The calendar day in Japan of a naive UTC datetime."""
    return to_jst(value).date() if value else datetime.datetime.now(JST).date()


def start_of_day_utc(day):
    """The first moment of `day` in Japan, as a naive UTC datetime (Odoo's storage)."""
    local = JST.localize(datetime.datetime.combine(day, datetime.time.min))
    return local.astimezone(pytz.utc).replace(tzinfo=None)
