"""`TargetCheck`: one lookup through the resolver port, every answer checked."""

import ipaddress
import socket

import pytest

from call_service.adapters.http.checked_connector import CheckedResolver
from call_service.domain.webhook_targets import AllowedTargets, parse_allowed_targets
from call_service.service.target_check import HostUnresolved, TargetCheck, TargetRefused


class TableResolver:
    """Answers from a table; counts lookups; an unknown name does not resolve."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.lookups: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.table[host]


RESOLVER = TableResolver(
    {
        "crm.example.com": ["93.184.216.34", "2606:4700::1"],
        "split.example.com": ["93.184.216.34", "10.0.0.7"],
        "metadata.example.com": ["169.254.169.254"],
        "hooks.internal": ["10.0.0.5"],
        "garbage.example.com": ["not-an-address"],
    }
)


async def test_a_public_name_answers_every_checked_address() -> None:
    found = await TargetCheck(AllowedTargets(), RESOLVER).addresses("crm.example.com", 443)
    assert found == [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("2606:4700::1")]


@pytest.mark.parametrize("host", ["split.example.com", "metadata.example.com", "hooks.internal"])
async def test_one_internal_answer_refuses_the_host(host: str) -> None:
    with pytest.raises(TargetRefused) as refused:
        await TargetCheck(AllowedTargets(), RESOLVER).addresses(host, 80)
    assert str(refused.value) == "target address not allowed"


@pytest.mark.parametrize("host", ["nowhere.example.com", "garbage.example.com"])
async def test_a_name_without_addresses_does_not_resolve(host: str) -> None:
    with pytest.raises(HostUnresolved):
        await TargetCheck(AllowedTargets(), RESOLVER).addresses(host, 80)


async def test_literals_are_checked_without_a_lookup() -> None:
    resolver = TableResolver({})
    check = TargetCheck(AllowedTargets(), resolver)
    assert await check.addresses("8.8.8.8", 80) == [ipaddress.ip_address("8.8.8.8")]
    for host in ("127.0.0.1", "0x7f000001", "2130706433", "[::1]", "1.2.3.999"):
        with pytest.raises(TargetRefused):
            await check.addresses(host, 80)
    assert resolver.lookups == []


async def test_allowed_names_and_networks_pass() -> None:
    allowed = parse_allowed_targets(["hooks.internal", "169.254.0.0/16"])
    check = TargetCheck(allowed, RESOLVER)
    assert await check.addresses("hooks.internal", 80) == [ipaddress.ip_address("10.0.0.5")]
    assert await check.addresses("metadata.example.com", 80)
    with pytest.raises(TargetRefused):
        await check.addresses("split.example.com", 80)


@pytest.mark.parametrize(
    "url", ["ftp://crm.example.com/", "file:///etc/passwd", "gopher://crm.example.com", "http:///x"]
)
async def test_only_http_urls_with_a_host_are_targets(url: str) -> None:
    with pytest.raises(TargetRefused):
        await TargetCheck(AllowedTargets(), RESOLVER).check_url(url)


async def test_the_connectors_resolver_hands_aiohttp_only_checked_addresses() -> None:
    resolver = CheckedResolver(TargetCheck(AllowedTargets(), RESOLVER))
    results = await resolver.resolve("crm.example.com", 443, socket.AF_UNSPEC)
    assert [(r["host"], r["family"], r["hostname"]) for r in results] == [
        ("93.184.216.34", socket.AF_INET, "crm.example.com"),
        ("2606:4700::1", socket.AF_INET6, "crm.example.com"),
    ]
    only_v4 = await resolver.resolve("crm.example.com", 443, socket.AF_INET)
    assert [r["host"] for r in only_v4] == ["93.184.216.34"]
    with pytest.raises(TargetRefused):
        await resolver.resolve("split.example.com", 443, socket.AF_UNSPEC)
