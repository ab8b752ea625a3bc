"""Times shown to people are JST; stored times are UTC."""
import datetime

JST = datetime.timezone(datetime.timedelta(hours=9), 'JST')


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def to_jst(when):
    if when.tzinfo is None:  # naive datetimes are UTC (as Odoo stores them)
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.astimezone(JST)
