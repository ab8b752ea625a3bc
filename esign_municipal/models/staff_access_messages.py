"""The sentences staff read when their access to Electronic Contracts is
refused. A refused person may have either language set (or be on a shared
machine), so refusals show Japanese and English together."""
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

MFA_REQUIRED = _lt(
    "Electronic Contracts requires two-factor authentication. Enable it in "
    "your profile (your name at the top right > Preferences > Account "
    "Security > Two-factor authentication), then try again.")
IP_REFUSED = _lt(
    "Your address %(ip)s is not in the list of addresses allowed for "
    "Electronic Contracts staff. Connect from the municipality's network, or "
    "ask your Electronic Contracts administrator to add this address.")
IP_REFUSED_TITLE = _lt("Access refused")
REFUSED_AT = _lt("Refused at %(time)s")
LOG_OUT = _lt("Log out")


LANGS = ('ja_JP', 'en_US')


def translated(message, lang, **params):
    text = message._translate(lang)
    return text % params if params else text


def in_both_languages(message, **params):
    """``message`` in Japanese, then in English (once when they are the same,
    e.g. before the Japanese translation is written)."""
    texts = []
    for lang in LANGS:
        text = translated(message, lang, **params)
        if text not in texts:
            texts.append(text)
    return texts


def bilingual(message, **params):
    return '\n\n'.join(in_both_languages(message, **params))
