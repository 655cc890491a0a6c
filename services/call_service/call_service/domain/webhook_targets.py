"""Which addresses a webhook may reach: public ones, plus what the operator allows.

Pure (no I/O). A target is public when the standard library calls it global and
it is none of loopback, private, link-local, multicast, unspecified, reserved or
shared (100.64.0.0/10). IPv6 forms that carry an IPv4 address (IPv4-mapped,
NAT64 `64:ff9b::/96`, 6to4) are judged by that address too. Hosts written as
numbers in the legacy forms `inet_aton` accepts (`2130706433`, `0x7f000001`,
`127.1`, `0177.0.0.1`) are read as the address they stand for, so they cannot
slip past as names.

`WEBHOOK_ALLOWED_HOSTS` lists exceptions: an IP address or a CIDR allows those
addresses under any name; a host name allows whatever that name resolves to.
"""

import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
_NUMBER = re.compile(r"(0[xX][0-9a-fA-F]*|[0-9]+)")
_HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")


class InvalidHost(ValueError):
    """A host that looks like an IP address but is not one (`1.2.3.999`, `[::1`)."""


def is_public(address: IPAddress) -> bool:
    """True for an address anyone on the internet could reach, and only then."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if address in _NAT64:
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.sixtofour is not None and not is_public(address.sixtofour):
            return False
        if address.is_site_local:
            return False
    elif address in _SHARED:
        return False
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
    )


def literal_address(host: str) -> IPAddress | None:
    """The address a URL host spells out, or None when the host is a name.

    `[…]` IPv6, dotted quads and the legacy numeric IPv4 forms all count as
    addresses; a host whose last label is a number but that is no valid address
    raises InvalidHost (it would never be looked up as a name either).
    """
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if ":" in bare or "[" in bare or "]" in bare:
        raise InvalidHost("not a valid IPv6 address")
    return _legacy_ipv4(bare)


def _legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # a trailing dot
    if not _NUMBER.fullmatch(parts[-1]):
        return None  # a name
    if len(parts) > 4 or not all(_NUMBER.fullmatch(part) for part in parts):
        raise InvalidHost("not a valid IPv4 address")
    *head, last = [_legacy_number(part) for part in parts]
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(parts)):
        raise InvalidHost("not a valid IPv4 address")
    value = sum(n << (8 * (3 - i)) for i, n in enumerate(head)) + last
    return ipaddress.IPv4Address(value)


def _legacy_number(part: str) -> int:
    if part[:2] in ("0x", "0X"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        if not set(part) <= set("01234567"):
            raise InvalidHost("not a valid IPv4 address")
        return int(part, 8)
    return int(part)


def normalise_host_name(host: str) -> str:
    return host.lower().rstrip(".")


@dataclass(frozen=True)
class AllowedTargets:
    """The operator's exceptions to "public addresses only" (none by default)."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    def allows_name(self, host: str) -> bool:
        return normalise_host_name(host) in self.names

    def allows(self, address: IPAddress) -> bool:
        """Public, or inside one of the allowed networks (IPv4-mapped forms included)."""
        if is_public(address):
            return True
        return any(form in network for form in _forms(address) for network in self.networks)


def _forms(address: IPAddress) -> Iterator[IPAddress]:
    yield address
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        yield address.ipv4_mapped


def parse_allowed_targets(entries: Iterable[str]) -> AllowedTargets:
    """`127.0.0.1`, `10.0.0.0/8`, `::1`, `hooks.internal`; ValueError names a bad entry."""
    names: set[str] = set()
    networks: list[IPNetwork] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        name = normalise_host_name(entry)
        if "/" in entry or not _HOST_NAME.fullmatch(name) or _NUMBER.fullmatch(name.split(".")[-1]):
            raise ValueError(f"{entry!r} is neither a host name, an IP address nor a CIDR")
        names.add(name)
    return AllowedTargets(frozenset(names), tuple(networks))
