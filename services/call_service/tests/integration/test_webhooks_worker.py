"""The webhook worker in-process against real PostgreSQL and a real local HTTP receiver."""

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiohttp import web

from call_service.adapters.postgres.commit_signal import CommitSignal
from call_service.adapters.postgres.pool import create_pool
from call_service.adapters.postgres.unit_of_work import PostgresUnitOfWork
from call_service.domain.webhook_targets import parse_allowed_targets
from call_service.webhooks.worker import run_worker
from call_service.webhooks.worker_settings import WebhookWorkerSettings
from devstack.network import free_port
from devstack.polling import eventually
from service_kit.webhook_signing import verify_signature

SECRET = "worker-test-secret-0123456789"
LOOPBACK_ALLOWED = parse_allowed_targets(["127.0.0.1"])  # the receivers listen there


class Receiver:
    """An aiohttp server on 127.0.0.1 that records requests; `delay_s` makes it slow."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        await asyncio.sleep(self.delay_s)
        return web.Response(status=204)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@contextlib.asynccontextmanager
async def worker(
    database_url: str, worker_settings: WebhookWorkerSettings
) -> AsyncIterator[asyncio.Event]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(database_url, worker_settings, stop))
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


@pytest.fixture
async def conn(fresh_database_url: str) -> AsyncIterator[Any]:
    connection = await asyncpg.connect(fresh_database_url)
    await connection.set_type_codec(
        "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
    )
    yield connection
    await connection.close()


async def subscribe(conn: Any, url: str) -> uuid.UUID:
    webhook_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO webhooks (id, url, event_types, secret) VALUES ($1, $2, $3, $4)",
        webhook_id,
        url,
        ["survey_requested"],
        SECRET,
    )
    return webhook_id


async def survey_requested(database_url: str) -> None:
    """Written the way the api writes it: in a unit of work that notifies after commit."""
    payload = {"id": "ev-1", "type": "survey_requested"}
    pool = await create_pool(database_url, max_size=1)
    signal = CommitSignal(pool)
    try:
        async with PostgresUnitOfWork(pool, signal) as uow:
            await uow.integrations.add("survey_requested", payload, "corr-w")
        await signal.close()
    finally:
        await pool.close()


async def test_a_committed_event_is_delivered_signed_on_notify_without_polling(
    fresh_database_url: str, conn: Any
) -> None:
    receiver = Receiver()
    await receiver.start()
    await subscribe(conn, receiver.url)
    # Only NOTIFY can wake it in time.
    worker_settings = WebhookWorkerSettings(poll_interval_s=60, allowed_targets=LOOPBACK_ALLOWED)
    try:
        async with worker(fresh_database_url, worker_settings):
            await eventually(lambda: _listening(conn), deadline_s=10)
            await survey_requested(fresh_database_url)
            await eventually(lambda: _count(receiver.requests), deadline_s=10)
    finally:
        await receiver.stop()
    headers, body = receiver.requests[0]
    assert body == b'{"id":"ev-1","type":"survey_requested"}'
    assert headers["X-Webhook-Event"] == "survey_requested"
    assert verify_signature(
        SECRET, headers["X-Webhook-Timestamp"], body, headers["X-Webhook-Signature"]
    )
    status = await conn.fetchval("SELECT status FROM webhook_deliveries")
    assert status == "delivered"
    assert headers["X-Webhook-Id"] == str(await conn.fetchval("SELECT id FROM webhook_deliveries"))


async def test_stopping_hands_an_unfinished_send_back_to_the_queue(
    fresh_database_url: str, conn: Any
) -> None:
    receiver = Receiver(delay_s=30)
    await receiver.start()
    await subscribe(conn, receiver.url)
    await survey_requested(fresh_database_url)
    worker_settings = WebhookWorkerSettings(
        poll_interval_s=0.1, timeout_s=30, shutdown_grace_s=0.2, allowed_targets=LOOPBACK_ALLOWED
    )
    try:
        async with worker(fresh_database_url, worker_settings):
            await eventually(lambda: _count(receiver.requests), deadline_s=10)
    finally:
        await receiver.stop()
    row = await conn.fetchrow(
        "SELECT status, next_attempt_at <= now() AS due FROM webhook_deliveries"
    )
    assert (row["status"], row["due"]) == ("pending", True)
    assert await conn.fetchval("SELECT attempts FROM webhook_deliveries") == 0


async def _listening(conn: Any) -> bool:
    channels = await conn.fetchval(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE query LIKE 'LISTEN%' AND datname = current_database()"
    )
    return bool(channels)


async def _count(items: list[Any]) -> int:
    return len(items)
