"""The staff IP allow-list: parse what an administrator typed, and decide
whether an address is inside it. Plain Python (no Odoo).

The list is text: CIDR networks or single addresses, IPv4 or IPv6,
separated by commas, spaces or new lines. An empty list allows every
address (no restriction).
"""
import functools
import ipaddress
import re

_SEPARATORS = re.compile(r'[\s,;]+')


class AllowListError(ValueError):
    """One entry of the list is not a network.

    ``code`` is stable for the Odoo layer to translate: 'invalid' (not an
    address or network at all) or 'host_bits' (an address with a prefix,
    such as 192.168.1.5/24, where a network was meant; ``suggestion`` then
    holds the network, 192.168.1.0/24).
    """

    def __init__(self, code, entry, suggestion=None):
        self.code = code
        self.entry = entry
        self.suggestion = suggestion
        detail = f'; did you mean {suggestion}?' if suggestion else ''
        super().__init__(f'{entry!r} is not an IPv4 or IPv6 network ({code}){detail}')


def _parse_entry(entry):
    try:
        return ipaddress.ip_network(entry, strict=True)
    except ValueError:
        pass
    # Refuse rather than silently widen or narrow what the administrator
    # typed: 192.168.1.5/24 may mean the whole /24 or just the host.
    try:
        network = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        raise AllowListError('invalid', entry) from None
    raise AllowListError('host_bits', entry, suggestion=str(network))


@functools.lru_cache(maxsize=32)
def parse_allowlist(text):
    """Return the networks of ``text`` as a tuple, without duplicates, in
    the order typed. Raises AllowListError on the first bad entry."""
    networks = []
    for entry in _SEPARATORS.split(text or ''):
        if not entry:
            continue
        network = _parse_entry(entry)
        if network not in networks:
            networks.append(network)
    return tuple(networks)


def normalize_allowlist(text):
    """The canonical text of the list: networks in CIDR form, ', ' between
    them ('' for an empty list)."""
    return ', '.join(str(network) for network in parse_allowlist(text))


def parse_address(address):
    """The client address as an ip_address, or None when it is missing or
    not an address. An IPv4 address seen through an IPv6 socket
    (::ffff:192.0.2.1) counts as the IPv4 address; a zone (%eth0) is dropped."""
    if not address:
        return None
    try:
        parsed = ipaddress.ip_address(address.split('%', 1)[0].strip('[]'))
    except ValueError:
        return None
    if parsed.version == 6 and parsed.ipv4_mapped:
        return parsed.ipv4_mapped
    return parsed


def is_allowed(address, networks):
    """Whether ``address`` (text) may pass ``networks``. No networks: every
    address passes. An unreadable address never passes a non-empty list."""
    if not networks:
        return True
    parsed = parse_address(address)
    if parsed is None:
        return False
    return any(parsed.version == network.version and parsed in network for network in networks)
