"""The hash chain of the operation log (操作ログ): each entry stores the hash
of its own content and of the entry before it, so that changing, removing or
reordering any entry breaks the chain from that entry on.

    entry_hash = SHA-256( prev_hash + "\\n" + canonical JSON of the content )

The first entry's prev_hash is GENESIS (64 zeros). The canonical JSON has
sorted keys, no spaces, UTF-8, and values normalized by `normalize` (times as
"YYYY-MM-DD HH:MM:SS[.ffffff]", empty values as null). The definition is
repeated in the README of every export, so an auditor can check the chain
with any tool.
"""
import datetime
import decimal
import hashlib
import json
from dataclasses import dataclass

GENESIS = '0' * 64


def normalize(value):
    """The JSON value a column's value is hashed as."""
    if value is None or value is False:
        return None
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=' ')
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return value


def canonical(content):
    """UTF-8 bytes of the canonical JSON of a {column: value} mapping."""
    plain = {key: normalize(value) for key, value in content.items()}
    return json.dumps(plain, sort_keys=True, ensure_ascii=False, separators=(',', ':')).encode('utf-8')


def entry_hash(content, prev_hash):
    if not isinstance(prev_hash, str) or len(prev_hash) != 64:
        raise ValueError('prev_hash must be 64 hexadecimal characters')
    return hashlib.sha256(prev_hash.encode('ascii') + b'\n' + canonical(content)).hexdigest()


def seal(contents, prev_hash, first_seq):
    """[(seq, prev_hash, entry_hash)] for `contents` appended after an entry
    whose hash is `prev_hash`; `contents` are built for their seq by the caller
    (seq is part of what is hashed, see `content_with_seq`)."""
    sealed = []
    for offset, content in enumerate(contents):
        seq = first_seq + offset
        digest = entry_hash(content_with_seq(content, seq), prev_hash)
        sealed.append((seq, prev_hash, digest))
        prev_hash = digest
    return sealed


def content_with_seq(content, seq):
    """The position in the chain is hashed too: moving an entry breaks it."""
    return dict(content, chain_seq=seq)


@dataclass
class ChainBreak:
    """The first entry where the chain does not hold, and why:
    'content' (the entry was changed), 'link' (the entry before it was changed,
    removed or inserted), 'gap' (entries are missing before it)."""
    seq: int
    row_id: int
    reason: str


@dataclass
class ChainResult:
    checked: int
    last_seq: int
    last_hash: str
    first_break: ChainBreak = None

    @property
    def intact(self):
        return self.first_break is None


def verify(rows, start_seq=1, start_hash=GENESIS):
    """Walks sealed entries in chain order and stops at the first one that
    does not hold. `rows` yields (seq, row_id, content, prev_hash, entry_hash)."""
    expected_seq, expected_prev, checked = start_seq, start_hash, 0
    for seq, row_id, content, prev_hash, stored_hash in rows:
        if seq != expected_seq:
            return ChainResult(checked, expected_seq - 1, expected_prev, ChainBreak(seq, row_id, 'gap'))
        if not _hex64(prev_hash) or entry_hash(content_with_seq(content, seq), prev_hash) != stored_hash:
            return ChainResult(checked, seq - 1, expected_prev, ChainBreak(seq, row_id, 'content'))
        if prev_hash != expected_prev:
            return ChainResult(checked, seq - 1, expected_prev, ChainBreak(seq, row_id, 'link'))
        checked += 1
        expected_seq, expected_prev = seq + 1, stored_hash
    return ChainResult(checked, expected_seq - 1, expected_prev)


def _hex64(value):
    return isinstance(value, str) and len(value) == 64
