"""Which addresses a webhook may reach: classification, odd spellings, the operator's list."""

import ipaddress

import pytest

from call_service.domain.webhook_targets import (
    InvalidHost,
    is_public,
    literal_address,
    parse_allowed_targets,
)
from call_service.settings import SettingsError
from call_service.webhooks.worker_settings import load_worker_settings

INTERNAL = [
    "127.0.0.1",
    "127.255.255.254",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata: link-local
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.1",  # multicast, although the standard library calls it global
    "239.255.255.250",
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "192.0.2.1",  # documentation
    "198.18.0.1",  # benchmarking
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",  # deprecated site-local
    "ff02::1",  # multicast, although the standard library calls it global
    "2001:db8::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "::127.0.0.1",  # IPv4-compatible (deprecated)
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", INTERNAL)
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_public(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("[::1]", "::1"),
        ("[::ffff:7f00:1]", "::ffff:127.0.0.1"),
        ("::1", "::1"),
    ],
)
def test_every_spelling_of_an_address_is_read_as_that_address(host: str, address: str) -> None:
    assert literal_address(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["crm.example.com", "localhost", "a-1.example", "x.0a", "0x.a"])
def test_names_are_not_addresses(host: str) -> None:
    assert literal_address(host) is None


@pytest.mark.parametrize(
    "host", ["1.2.3.256", "1.2.3.4.5", "4294967296", "08.0.0.1", "0x1ffffffff", "[::1", "foo.123"]
)
def test_numbers_that_are_no_address_are_invalid_not_names(host: str) -> None:
    with pytest.raises(InvalidHost):
        literal_address(host)


def test_allowed_networks_and_names_are_the_only_exceptions() -> None:
    allowed = parse_allowed_targets(["127.0.0.1", "10.0.0.0/8", "[::1]", "Hooks.Internal."])
    assert allowed.allows(ipaddress.ip_address("127.0.0.1"))
    assert allowed.allows(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert allowed.allows(ipaddress.ip_address("10.200.0.7"))
    assert allowed.allows(ipaddress.ip_address("::1"))
    assert allowed.allows(ipaddress.ip_address("8.8.8.8"))  # public: always
    assert not allowed.allows(ipaddress.ip_address("127.0.0.2"))
    assert not allowed.allows(ipaddress.ip_address("192.168.0.1"))
    assert allowed.allows_name("hooks.internal")
    assert allowed.allows_name("HOOKS.internal.")
    assert not allowed.allows_name("other.internal")


def test_nothing_is_allowed_by_default() -> None:
    allowed = load_worker_settings({}).allowed_targets
    assert not allowed.allows(ipaddress.ip_address("127.0.0.1"))
    assert not allowed.names


def test_the_worker_reads_its_allowed_hosts_from_the_environment() -> None:
    allowed = load_worker_settings(
        {"WEBHOOK_ALLOWED_HOSTS": " 127.0.0.1 , 172.16.0.0/12 ,"}
    ).allowed_targets
    assert allowed.allows(ipaddress.ip_address("172.20.0.5"))
    assert allowed.allows(ipaddress.ip_address("127.0.0.1"))


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "0x7f000001", "127.1", "exa mple", "*.corp"])
def test_a_bad_allowed_host_is_refused_at_start(entry: str) -> None:
    with pytest.raises(SettingsError, match="WEBHOOK_ALLOWED_HOSTS"):
        load_worker_settings({"WEBHOOK_ALLOWED_HOSTS": entry})
