"""Durable timers against real PostgreSQL, with thresholds of about a second."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from call_service.adapters.system_clock import SystemClock
from call_service.api.app import create_app
from call_service.timers.worker import run_timers
from devstack.polling import eventually

from .conftest import READER, event, initiated, make_settings, post

Client = TestClient[Any, Any]
FAST_QUEUE = "fast_lane"


@pytest.fixture
async def db(fresh_database_url: str) -> AsyncIterator[Any]:
    conn = await asyncpg.connect(fresh_database_url)
    await conn.execute(
        "INSERT INTO queues (id, name, sla_seconds, no_answer_seconds, max_hold_seconds,"
        " short_call_seconds) VALUES ($1, 'Fast', 1.0, 1.0, 1.0, 10)",
        FAST_QUEUE,
    )
    yield conn
    await conn.close()


@pytest.fixture
async def client(
    fresh_database_url: str, redis_url: str, redis_channel: str, db: Any, aiohttp_client: Any
) -> Client:
    settings = make_settings(fresh_database_url, redis_url, REDIS_CHANNEL=redis_channel)
    return await aiohttp_client(create_app(settings))


@contextlib.asynccontextmanager
async def workers(database_url: str, count: int = 1) -> AsyncIterator[None]:
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(run_timers(database_url, SystemClock(), stop, max_sleep_s=0.05))
        for _ in range(count)
    ]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def _types(client: Client, call_id: str) -> list[str]:
    response = await client.get(f"/api/calls/{call_id}/events", headers={"X-API-Key": READER})
    return [e["type"] for e in (await response.json())["data"]]


async def _wait_for_type(client: Client, call_id: str, event_type: str) -> list[str]:
    async def seen() -> list[str] | None:
        types = await _types(client, call_id)
        return types if event_type in types else None

    return await eventually(seen, deadline_s=8)


async def _counts(db: Any, call_id: str, kind: str) -> tuple[int, int]:
    alerts = await db.fetchval(
        "SELECT count(*) FROM alerts WHERE call_id = $1 AND kind = $2", call_id, kind
    )
    rows = await db.fetchval(
        "SELECT count(*) FROM outbox WHERE ordering_key = $1 AND kind = 'alert'"
        " AND payload -> 'message' ->> 'kind' = $2",
        call_id,
        kind,
    )
    return alerts, rows


async def test_a_waiting_call_gets_sla_breached_once_with_alert_and_outbox_rows(
    client: Client, db: Any, fresh_database_url: str
) -> None:
    await post(client, initiated("t-sla", FAST_QUEUE))
    async with workers(fresh_database_url, count=2):
        types = await _wait_for_type(client, "t-sla", "sla_breached")
        await asyncio.sleep(0)  # let both workers take another look
    assert types == ["call_initiated", "sla_breached"]
    assert await _counts(db, "t-sla", "sla_breached") == (1, 1)
    call = await (await client.get("/api/calls/t-sla", headers={"X-API-Key": READER})).json()
    assert (call["status"], call["flags"]) == ("waiting", ["sla_breached"])
    assert await db.fetchval("SELECT count(*) FROM call_timers WHERE call_id = 't-sla'") == 0


async def test_an_unanswered_route_comes_back_with_call_retransfer_and_a_missed_offer(
    client: Client, db: Any, fresh_database_url: str
) -> None:
    await post(client, initiated("t-route", FAST_QUEUE))
    await post(client, event("call_routed", "t-route", agent_id="slow-agent", routing_time=0))
    async with workers(fresh_database_url):
        await _wait_for_type(client, "t-route", "call_retransfer")
    call = await (await client.get("/api/calls/t-route", headers={"X-API-Key": READER})).json()
    assert (call["status"], call["agent_id"]) == ("waiting", None)
    agent = await client.get("/api/agents/slow-agent", headers={"X-API-Key": READER})
    numbers = await agent.json()
    assert (numbers["offers"], numbers["missed"], numbers["status"]) == (1, 1, "idle")
    assert await _counts(db, "t-route", "no_answer_reroute") == (1, 1)


async def test_three_workers_fire_each_of_many_timers_exactly_once(
    client: Client, db: Any, fresh_database_url: str
) -> None:
    calls = [f"t-many-{i}" for i in range(30)]
    for call_id in calls:
        await post(client, initiated(call_id, FAST_QUEUE))

    async def all_fired() -> bool:
        return not await db.fetchval("SELECT count(*) FROM call_timers")

    async with workers(fresh_database_url, count=3):
        await eventually(all_fired, deadline_s=10)
    fired = await db.fetch(
        "SELECT call_id, count(*) AS n FROM call_events WHERE type = 'sla_breached'"
        " GROUP BY call_id"
    )
    assert sorted((r["call_id"], r["n"]) for r in fired) == sorted((c, 1) for c in calls)
    assert await db.fetchval("SELECT count(*) FROM alerts WHERE kind = 'sla_breached'") == 30


async def test_a_long_hold_raises_hold_exceeded_and_resume_in_time_does_not(
    client: Client, db: Any, fresh_database_url: str
) -> None:
    for call_id in ("t-hold", "t-quick-hold"):
        await post(client, initiated(call_id, FAST_QUEUE))
        await post(client, event("call_routed", call_id, agent_id="a", routing_time=0))
        await post(client, event("call_answered", call_id, wait_time=0.2))
        await post(client, event("call_hold", call_id))
    await post(client, event("call_resumed", "t-quick-hold"))
    async with workers(fresh_database_url):
        await _wait_for_type(client, "t-hold", "hold_exceeded")
    assert "hold_exceeded" not in await _types(client, "t-quick-hold")
    assert await db.fetchval("SELECT count(*) FROM call_timers") == 0


async def test_a_call_answered_in_time_gets_no_sla_breached(
    client: Client, db: Any, fresh_database_url: str
) -> None:
    await post(client, initiated("t-fast", FAST_QUEUE))
    await post(client, event("call_routed", "t-fast", agent_id="a", routing_time=0))
    await post(client, event("call_answered", "t-fast", wait_time=0.1))
    await post(client, initiated("t-marker", FAST_QUEUE))  # armed later than t-fast's SLA
    async with workers(fresh_database_url):
        await _wait_for_type(client, "t-marker", "sla_breached")
    assert "sla_breached" not in await _types(client, "t-fast")


async def test_a_timer_due_while_no_worker_ran_fires_when_one_starts(
    client: Client, db: Any, fresh_database_url: str
) -> None:
    await post(client, {**initiated("t-late", FAST_QUEUE), "timestamp": "2020-01-01T00:00:00Z"})
    assert await db.fetchval("SELECT due_at < now() FROM call_timers WHERE call_id = 't-late'")
    async with workers(fresh_database_url):
        await _wait_for_type(client, "t-late", "sla_breached")


async def test_backfilled_history_arms_no_timer_and_raises_no_alert(
    client: Client, db: Any
) -> None:
    history = {**initiated("t-backfill", FAST_QUEUE), "timestamp": "2020-01-01T00:00:00Z"}
    response = await post(client, history, headers={"X-Backfill": "true"})
    assert response.status == 201
    answered = event("call_routed", "t-backfill", agent_id="a", routing_time=0)
    await post(client, answered, headers={"X-Backfill": "true"})
    assert await db.fetchval("SELECT count(*) FROM call_timers") == 0
    assert await db.fetchval("SELECT count(*) FROM alerts") == 0
