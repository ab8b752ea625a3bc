"""The operation log's hash chain (engine/hash_chain.py): any change,
removal or reordering is found, at the entry where it happened."""
import datetime

import pytest

from esign_municipal.engine import hash_chain


def entries(count):
    return [{'id': 100 + n, 'event': 'view', 'logged_at': datetime.datetime(2026, 4, 1, 9, 0, n),
             'ip_address': f'192.0.2.{n}', 'user_name': '監査 太郎', 'details': None} for n in range(count)]


def sealed_rows(contents):
    return [(seq, content['id'], content, prev, digest)
            for content, (seq, prev, digest) in zip(contents, hash_chain.seal(contents, hash_chain.GENESIS, 1))]


def test_intact_chain_verifies():
    result = hash_chain.verify(sealed_rows(entries(5)))
    assert result.intact and result.checked == 5 and result.last_seq == 5


def test_each_link_depends_on_the_previous_entry():
    rows = sealed_rows(entries(3))
    assert rows[0][3] == hash_chain.GENESIS
    assert rows[1][3] == rows[0][4] and rows[2][3] == rows[1][4]


@pytest.mark.parametrize('position', [0, 2, 4])
def test_changed_content_names_that_entry(position):
    rows = sealed_rows(entries(5))
    rows[position][2]['ip_address'] = '203.0.113.66'
    result = hash_chain.verify(rows)
    assert (result.first_break.row_id, result.first_break.reason) == (100 + position, 'content')
    assert result.checked == position


def test_rewritten_hash_breaks_the_next_link():
    rows = sealed_rows(entries(4))
    seq, row_id, content, prev, _digest = rows[1]
    content['event'] = 'sign'
    rows[1] = (seq, row_id, content, prev, hash_chain.entry_hash(hash_chain.content_with_seq(content, seq), prev))
    result = hash_chain.verify(rows)
    assert (result.first_break.row_id, result.first_break.reason) == (102, 'link')


def test_removed_entry_is_a_gap():
    rows = sealed_rows(entries(4))
    del rows[2]
    result = hash_chain.verify(rows)
    assert (result.first_break.seq, result.first_break.reason) == (4, 'gap')


def test_swapped_entries_break_at_the_first():
    rows = sealed_rows(entries(4))
    (s1, i1, c1, p1, h1), (s2, i2, c2, p2, h2) = rows[1], rows[2]
    rows[1], rows[2] = (s1, i2, c2, p2, h2), (s2, i1, c1, p1, h1)
    assert hash_chain.verify(rows).first_break.row_id == i2


def test_canonical_form_is_stable_and_documented():
    content = {'b': 'é', 'a': datetime.datetime(2026, 1, 2, 3, 4, 5), 'c': False, 'd': 3}
    assert hash_chain.canonical(content) == '{"a":"2026-01-02 03:04:05","b":"é","c":null,"d":3}'.encode()
    expected = __import__('hashlib').sha256(b'0' * 64 + b'\n' + hash_chain.canonical(content)).hexdigest()
    assert hash_chain.entry_hash(content, hash_chain.GENESIS) == expected
    with pytest.raises(ValueError):
        hash_chain.entry_hash(content, 'short')
