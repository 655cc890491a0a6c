"""Registration refuses webhook URLs that reach inside the network (real PostgreSQL)."""

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from call_service.api.app import create_app
from call_service.api.app_keys import WEBHOOK_HOST_RESOLVER
from call_service.settings import SettingsError, load_settings

from .conftest import ADMIN, make_settings
from .fake_resolver import PUBLIC_ADDRESS, TableResolver

Client = TestClient[Any, Any]
Factory = Callable[..., Awaitable[Client]]
ADMIN_HEADERS = {"X-API-Key": ADMIN}
NAMES = {
    "crm.example.com": [PUBLIC_ADDRESS, "2606:4700::1"],
    "localhost.example.com": ["127.0.0.1"],
    "db.corp.example.com": ["10.0.0.5"],
    "split.example.com": [PUBLIC_ADDRESS, "192.168.1.10"],
    "v6.example.com": [PUBLIC_ADDRESS, "::1"],
    "mapped.example.com": ["::ffff:169.254.169.254"],
    "hooks.internal": ["192.168.7.7"],
}


@pytest.fixture
def app_client(
    fresh_database_url: str, redis_url: str, aiohttp_client: Callable[[Any], Awaitable[Client]]
) -> Factory:
    async def start(resolver: Any = None, **env: str) -> Client:
        app = create_app(make_settings(fresh_database_url, redis_url, **env))
        if resolver is not None:
            app[WEBHOOK_HOST_RESOLVER] = resolver
        return await aiohttp_client(app)

    return start


async def register(client: Client, url: str) -> Any:
    body = {"url": url, "event_types": ["survey_requested"]}
    return await client.post("/api/webhooks", json=body, headers=ADMIN_HEADERS)


async def webhook_rows(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM webhooks"))
    finally:
        await conn.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:5432/",
        "http://127.0.0.2/",
        "http://0x7f000001/",
        "http://2130706433/",
        "http://127.1/",
        "http://0177.0.0.1/",
        "http://0xa9fea9fe/",
        "http://127.0.0.1.:6379/",
        "http://[::1]:6379/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://192.168.0.1/",
        "http://100.64.0.1/",
        "http://0.0.0.0:8000/",
        "http://0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://1.2.3.999/",
        "https://localhost.example.com/hook",
        "https://db.corp.example.com/hook",
        "https://split.example.com/hook",
        "https://v6.example.com/hook",
        "https://mapped.example.com/hook",
        "https://nowhere.example.com/hook",  # does not resolve
        "ftp://crm.example.com/hook",
        "file:///etc/passwd",
        "gopher://crm.example.com/",
        "javascript:alert(1)",
    ],
)
async def test_internal_targets_are_refused_with_422_naming_url_and_nothing_written(
    app_client: Factory, fresh_database_url: str, url: str
) -> None:
    client = await app_client(TableResolver(NAMES))
    response = await register(client, url)
    assert response.status == 422, await response.text()
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert [e["loc"] for e in problem["errors"]] == [["url"]], problem
    assert await webhook_rows(fresh_database_url) == 0


async def test_public_targets_are_accepted(app_client: Factory) -> None:
    client = await app_client(TableResolver(NAMES))
    for url in (
        "https://crm.example.com/hook",
        "http://93.184.216.34:8080/x",
        "http://[2606:4700::1]/",
    ):
        assert (await register(client, url)).status == 201, url


async def test_allowed_hosts_and_cidrs_are_the_exceptions(app_client: Factory) -> None:
    allowed = "127.0.0.1, 10.0.0.0/8, hooks.internal"
    client = await app_client(TableResolver(NAMES), WEBHOOK_ALLOWED_HOSTS=allowed)
    for url in (
        "http://127.0.0.1:9000/survey",  # the host entry
        "http://0x7f000001:9000/survey",  # the same address, spelled oddly
        "https://localhost.example.com/hook",  # a name resolving to it
        "http://10.20.30.40/hook",  # the CIDR
        "https://db.corp.example.com/hook",
        "https://hooks.internal/hook",  # the name entry
    ):
        response = await register(client, url)
        assert response.status == 201, (url, await response.text())
    for url in ("http://127.0.0.2/", "http://192.168.0.1/", "https://split.example.com/"):
        assert (await register(client, url)).status == 422, url


async def test_the_system_resolver_is_used_by_default(app_client: Factory) -> None:
    client = await app_client()  # the event loop's getaddrinfo
    refused = await register(client, "http://localhost:5432/")
    assert refused.status == 422
    assert (await register(client, "http://93.184.216.34/hook")).status == 201  # no lookup


def test_a_bad_allowed_hosts_setting_stops_the_api_at_start() -> None:
    env = {"DATABASE_URL": "postgresql://x", "REDIS_URL": "redis://x", "API_KEYS": "k:admin"}
    with pytest.raises(SettingsError, match="WEBHOOK_ALLOWED_HOSTS"):
        load_settings({**env, "WEBHOOK_ALLOWED_HOSTS": "10.0.0.0/33"})
