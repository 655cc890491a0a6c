"""The worker's aiohttp connector: it connects only to addresses `TargetCheck` approved.

aiohttp asks its resolver for a name's addresses right before it connects; this
resolver looks the name up once through the `HostResolver` port, refuses the
whole connection if any address is not allowed, and hands aiohttp the checked
addresses only. The DNS cache is off, so every new connection is checked again;
TLS SNI and the Host header still carry the URL's name.

IP literals never reach a resolver in aiohttp: the send use case checks those
itself before each attempt (`TargetCheck.addresses` on the literal does no lookup).
"""

import socket

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from call_service.service.target_check import HostUnresolved, TargetCheck


class CheckedResolver(AbstractResolver):
    def __init__(self, check: TargetCheck) -> None:
        self._check = check

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results: list[ResolveResult] = []
        for address in await self._check.addresses(host, port):
            address_family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
            if family not in (socket.AF_UNSPEC, address_family):
                continue
            results.append(
                ResolveResult(
                    hostname=host,
                    host=str(address),
                    port=port,
                    family=address_family,
                    proto=0,
                    flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                )
            )
        if not results:
            raise HostUnresolved()
        return results

    async def close(self) -> None:
        """Nothing to release: lookups go through the `HostResolver` port."""


def checked_connector(check: TargetCheck, limit: int) -> aiohttp.TCPConnector:
    return aiohttp.TCPConnector(limit=limit, resolver=CheckedResolver(check), use_dns_cache=False)
