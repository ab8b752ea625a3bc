"""The staff IP allow-list engine (esign_municipal/engine/ip_allowlist.py)."""
import pytest

from esign_municipal.engine.ip_allowlist import (
    AllowListError, is_allowed, normalize_allowlist, parse_address, parse_allowlist)


def test_empty_list_allows_everyone():
    assert parse_allowlist('') == ()
    assert parse_allowlist(' ,\n ') == ()
    assert is_allowed('203.0.113.9', ())
    assert normalize_allowlist('') == ''


def test_ipv4_and_ipv6_networks_and_single_addresses():
    networks = parse_allowlist('192.0.2.0/24,\n2001:db8::/32  198.51.100.7; 2001:db8:1::1')
    assert normalize_allowlist('192.0.2.0/24,\n2001:db8::/32  198.51.100.7; 2001:db8:1::1') == (
        '192.0.2.0/24, 2001:db8::/32, 198.51.100.7/32, 2001:db8:1::1/128')
    assert is_allowed('192.0.2.200', networks)
    assert is_allowed('198.51.100.7', networks)
    assert not is_allowed('198.51.100.8', networks)
    assert is_allowed('2001:db8:ffff::5', networks)
    assert not is_allowed('2001:db9::5', networks)


def test_duplicates_are_dropped():
    assert normalize_allowlist('10.0.0.0/8 10.0.0.0/8') == '10.0.0.0/8'


def test_ipv4_seen_through_ipv6_socket_and_zone():
    networks = parse_allowlist('127.0.0.0/8, fe80::/10')
    assert is_allowed('::ffff:127.0.0.1', networks)
    assert is_allowed('fe80::1%eth0', networks)
    assert parse_address('[2001:db8::1]').compressed == '2001:db8::1'


def test_unreadable_address_is_refused_when_restricted():
    networks = parse_allowlist('0.0.0.0/0')
    assert not is_allowed(None, networks)
    assert not is_allowed('', networks)
    assert not is_allowed('not-an-ip', networks)
    # An IPv6 client is not inside an IPv4-only list.
    assert not is_allowed('2001:db8::1', networks)


@pytest.mark.parametrize('text, code, entry, suggestion', [
    ('192.0.2.0/24, 10.0.0.300', 'invalid', '10.0.0.300', None),
    ('intranet', 'invalid', 'intranet', None),
    ('10.0.0.0/33', 'invalid', '10.0.0.0/33', None),
    ('192.168.1.5/24', 'host_bits', '192.168.1.5/24', '192.168.1.0/24'),
    ('2001:db8::1/32', 'host_bits', '2001:db8::1/32', '2001:db8::/32'),
])
def test_bad_entries_name_the_entry(text, code, entry, suggestion):
    with pytest.raises(AllowListError) as caught:
        parse_allowlist(text)
    assert (caught.value.code, caught.value.entry, caught.value.suggestion) == (code, entry, suggestion)
    assert entry in str(caught.value)
