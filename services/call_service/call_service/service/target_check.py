"""Resolve a webhook's host once and check every address: at registration and per delivery.

`HostResolver` is the port for name lookups (adapters/system_resolver.py: the event
loop's getaddrinfo). `TargetCheck.addresses` answers only addresses it has checked, so
the worker's connector (adapters/http/checked_connector.py) connects to exactly those:
no second lookup between the check and the connect, hence no DNS rebinding in between.
"""

import asyncio
import ipaddress
from dataclasses import dataclass
from typing import Protocol

from yarl import URL

from call_service.domain.webhook_targets import (
    AllowedTargets,
    InvalidHost,
    IPAddress,
    literal_address,
)

REFUSED = "target address not allowed"
UNRESOLVED = "host did not resolve"
RESOLVE_TIMEOUT_S = 5.0


class TargetRefused(OSError):
    """The target is not public and not allowed; `str()` is safe to show to a client.

    `address` (the first address refused) is for the operator's log only.
    """

    def __init__(self, reason: str = REFUSED, address: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.address = address

    def __str__(self) -> str:
        return self.reason

    @property
    def log_detail(self) -> str:
        """The reason with the refused address: for the operator's log, never a client."""
        return f"{self.reason}: {self.address}" if self.address else self.reason


class HostUnresolved(TargetRefused):
    """The name has no address (or the lookup failed or timed out)."""

    def __init__(self) -> None:
        super().__init__(UNRESOLVED)


class HostResolver(Protocol):
    """Name lookups: the addresses a host name has, as DNS (or a test's table) answers."""

    async def resolve(self, host: str, port: int) -> list[str]:
        """Every address `host` has, as text; OSError when it has none."""
        ...


@dataclass(frozen=True)
class TargetCheck:
    """The operator's exceptions and the resolver a check looks names up through."""

    allowed: AllowedTargets
    resolver: HostResolver
    timeout_s: float = RESOLVE_TIMEOUT_S

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """The host's addresses, each one allowed; TargetRefused if any is not."""
        try:
            literal = literal_address(host)
        except InvalidHost as exc:
            raise TargetRefused() from exc
        found = [literal] if literal is not None else await self._lookup(host, port)
        if literal is None and self.allowed.allows_name(host):
            return found
        refused = [address for address in found if not self.allowed.allows(address)]
        if refused:
            raise TargetRefused(address=str(refused[0]))
        return found

    async def check_url(self, url: str) -> None:
        """An http(s) URL whose host resolves to allowed addresses only; else TargetRefused."""
        try:
            parsed = URL(url)
        except ValueError as exc:
            raise TargetRefused("must be a valid http:// or https:// URL") from exc
        host, port = parsed.raw_host, parsed.port
        if parsed.scheme not in ("http", "https") or not host or port is None:
            raise TargetRefused("must be an absolute http:// or https:// URL with a host")
        await self.addresses(host, port)

    async def _lookup(self, host: str, port: int) -> list[IPAddress]:
        try:
            async with asyncio.timeout(self.timeout_s):
                answers = await self.resolver.resolve(host, port)
        except (OSError, TimeoutError, ValueError) as exc:
            raise HostUnresolved() from exc
        try:
            found = list(dict.fromkeys(ipaddress.ip_address(a) for a in answers))
        except ValueError as exc:
            raise HostUnresolved() from exc
        if not found:
            raise HostUnresolved()
        return found
