"""Each delivery checks its target again: DNS rebinding, redirects, stored internal URLs.

The worker runs in-process on real PostgreSQL; receivers are raw TCP servers that
count every connection, so "never connected" is observed, not assumed. Names are
looked up through a `HostResolver` of the test's own (fake_resolver.py).
"""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from call_service.api.app import create_app
from call_service.api.app_keys import WEBHOOK_HOST_RESOLVER
from call_service.domain.webhook_targets import AllowedTargets, parse_allowed_targets
from call_service.service.target_check import HostResolver
from call_service.webhooks.worker import run_worker
from call_service.webhooks.worker_settings import WebhookWorkerSettings
from devstack.network import free_port
from devstack.polling import eventually

from .conftest import ADMIN, make_settings
from .fake_resolver import TableResolver, public_then
from .test_webhooks_worker import survey_requested

LOOPBACK_ALLOWED = parse_allowed_targets(["127.0.0.1"])


@dataclass
class CountingReceiver:
    """HTTP/1.1 on `host`: counts connections, answers `status` (with `location` if set)."""

    host: str = "127.0.0.1"
    status: int = 204
    location: str | None = None
    port: int = field(default_factory=free_port)
    connections: int = 0
    host_headers: list[str] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
        self.host_headers.append(headers.get("host", ""))
        await reader.readexactly(int(headers.get("content-length", "0")))
        extra = f"Location: {self.location}\r\n" if self.location else ""
        reply = f"HTTP/1.1 {self.status} X\r\n{extra}Content-Length: 0\r\nConnection: close\r\n"
        writer.write(f"{reply}\r\n".encode())
        await writer.drain()
        writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[CountingReceiver], Awaitable[CountingReceiver]]]:
    servers: list[asyncio.Server] = []

    async def start(receiver: CountingReceiver) -> CountingReceiver:
        servers.append(await asyncio.start_server(receiver.handle, receiver.host, receiver.port))
        return receiver

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


@pytest.fixture
async def conn(fresh_database_url: str) -> AsyncIterator[Any]:
    connection = await asyncpg.connect(fresh_database_url)
    yield connection
    await connection.close()


@contextlib.asynccontextmanager
async def worker(
    database_url: str, allowed: AllowedTargets, resolver: HostResolver | None = None
) -> AsyncIterator[None]:
    worker_settings = WebhookWorkerSettings(
        attempts=1, poll_interval_s=0.1, timeout_s=3, allowed_targets=allowed
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(database_url, worker_settings, stop, resolver))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def subscribe(conn: Any, url: str) -> uuid.UUID:
    """A webhook as stored before its target stopped being allowed (written directly)."""
    webhook_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO webhooks (id, url, event_types, secret) VALUES ($1, $2, $3, $4)",
        webhook_id,
        url,
        ["survey_requested"],
        "delivery-target-secret-0123",
    )
    return webhook_id


async def deliver_once(database_url: str, conn: Any) -> Any:
    """Send one survey_requested and wait for its delivery's only attempt."""
    await survey_requested(database_url)

    async def finished() -> Any:
        return await conn.fetchrow(
            "SELECT d.status, a.status_code, a.error FROM webhook_deliveries d"
            " JOIN webhook_delivery_attempts a ON a.delivery_id = d.id"
            " WHERE d.status IN ('delivered', 'dead')"
        )

    return await eventually(finished, deadline_s=10)


async def test_a_name_rebound_to_loopback_after_registration_is_refused_unconnected(
    fresh_database_url: str,
    redis_url: str,
    aiohttp_client: Callable[[Any], Awaitable[TestClient[Any, Any]]],
    serve: Any,
) -> None:
    receiver = await serve(CountingReceiver())
    resolver = TableResolver({"rebind.example.com": public_then("127.0.0.1")})
    app = create_app(make_settings(fresh_database_url, redis_url))
    app[WEBHOOK_HOST_RESOLVER] = resolver
    client = await aiohttp_client(app)
    url = f"http://rebind.example.com:{receiver.port}/hook"
    body = {"url": url, "event_types": ["survey_requested"]}
    created = await client.post("/api/webhooks", json=body, headers={"X-API-Key": ADMIN})
    assert created.status == 201, await created.text()  # public at registration
    webhook_id = (await created.json())["id"]
    async with worker(fresh_database_url, AllowedTargets(), resolver):
        await survey_requested(fresh_database_url)

        async def dead() -> Any:
            page = await client.get(
                f"/api/webhooks/{webhook_id}/deliveries?status=dead", headers={"X-API-Key": ADMIN}
            )
            return (await page.json())["data"]

        deliveries = await eventually(dead, deadline_s=10)
    attempt = deliveries[0]["attempts_log"][0]
    assert (attempt["status_code"], attempt["error"]) == (None, "target address not allowed")
    assert deliveries[0]["last_error"] == "target address not allowed"
    assert receiver.connections == 0
    assert resolver.lookups == ["rebind.example.com", "rebind.example.com"]


async def test_a_delivery_connects_to_the_checked_address_and_keeps_the_name(
    fresh_database_url: str, conn: Any, serve: Any
) -> None:
    receiver = await serve(CountingReceiver())
    resolver = TableResolver({"hooks.example.com": ["127.0.0.1"]})
    await subscribe(conn, f"http://hooks.example.com:{receiver.port}/hook")
    async with worker(fresh_database_url, LOOPBACK_ALLOWED, resolver):
        row = await deliver_once(fresh_database_url, conn)
    assert (row["status"], row["status_code"]) == ("delivered", 204)
    assert receiver.host_headers == [f"hooks.example.com:{receiver.port}"]
    assert resolver.lookups == ["hooks.example.com"]  # one lookup: the checked one


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_to_an_internal_address_is_not_followed(
    fresh_database_url: str, conn: Any, serve: Any, status: int
) -> None:
    internal = await serve(CountingReceiver(host="127.0.0.2"))
    location = f"http://127.0.0.2:{internal.port}/internal"
    outer = await serve(CountingReceiver(status=status, location=location))
    await subscribe(conn, f"http://127.0.0.1:{outer.port}/hook")
    async with worker(fresh_database_url, LOOPBACK_ALLOWED):
        row = await deliver_once(fresh_database_url, conn)
    assert (row["status"], row["status_code"], row["error"]) == ("dead", status, f"HTTP {status}")
    assert outer.connections == 1
    assert internal.connections == 0


@pytest.mark.parametrize("host", ["127.0.0.1", "0x7f000001", "[::ffff:127.0.0.1]", "127.1"])
async def test_a_stored_internal_url_is_refused_at_delivery_unconnected(
    fresh_database_url: str, conn: Any, serve: Any, host: str
) -> None:
    receiver = await serve(CountingReceiver())
    await subscribe(conn, f"http://{host}:{receiver.port}/hook")
    async with worker(fresh_database_url, AllowedTargets()):
        row = await deliver_once(fresh_database_url, conn)
    assert (row["status"], row["status_code"]) == ("dead", None)
    assert row["error"] == "target address not allowed"
    assert receiver.connections == 0


async def test_transport_errors_say_what_failed_and_nothing_about_the_network(
    fresh_database_url: str, conn: Any
) -> None:
    resolver = TableResolver({})
    await subscribe(conn, f"http://127.0.0.1:{free_port()}/hook")  # nothing listens
    await subscribe(conn, "http://nowhere.example.com/hook")
    async with worker(fresh_database_url, LOOPBACK_ALLOWED, resolver):
        await survey_requested(fresh_database_url)

        async def errors() -> list[str]:
            rows = await conn.fetch("SELECT error FROM webhook_delivery_attempts ORDER BY error")
            return [r["error"] for r in rows] if len(rows) == 2 else []

        assert await eventually(errors, deadline_s=10) == [
            "connection failed",
            "host did not resolve",
        ]
