"""A timer whose firing raises is retried later and never stops the other timers."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
import structlog
from prometheus_client import REGISTRY

from call_service.adapters.postgres.timers_repository import count_failing, record_failure
from call_service.adapters.system_clock import SystemClock
from call_service.api.app import create_app
from call_service.domain.timers import TimerKind
from call_service.timers.failures import TimerRetryPolicy
from call_service.timers.worker import run_timers
from devstack.polling import eventually

from .conftest import initiated, make_settings, post

FAST_QUEUE = "retry_lane"
RETRY = TimerRetryPolicy(base_delay_s=0.2, max_delay_s=0.4, count_failing_every_s=0.05)


@pytest.fixture
async def db(fresh_database_url: str) -> AsyncIterator[Any]:
    conn = await asyncpg.connect(fresh_database_url)
    await conn.execute(
        "INSERT INTO queues (id, name, sla_seconds, no_answer_seconds, max_hold_seconds,"
        " short_call_seconds) VALUES ($1, 'Retry', 0.5, 0.5, 0.5, 10)",
        FAST_QUEUE,
    )
    yield conn
    await conn.close()


@contextlib.asynccontextmanager
async def worker(database_url: str) -> AsyncIterator[asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_timers(database_url, SystemClock(), stop, max_sleep_s=0.05, retry=RETRY)
    )
    try:
        yield task
    finally:
        stop.set()
        await task


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def _breached(db: Any, call_id: str) -> bool:
    return bool(
        await db.fetchval(
            "SELECT count(*) FROM call_events WHERE call_id = $1 AND type = 'sla_breached'",
            call_id,
        )
    )


async def test_a_timer_that_raises_is_retried_with_backoff_and_the_others_still_fire(
    db: Any, fresh_database_url: str, redis_url: str, redis_channel: str, aiohttp_client: Any
) -> None:
    settings = make_settings(fresh_database_url, redis_url, REDIS_CHANNEL=redis_channel)
    client = await aiohttp_client(create_app(settings))
    for call_id in ("t-poisoned", "t-healthy"):  # the poisoned one falls due first
        assert (await post(client, initiated(call_id, FAST_QUEUE))).status == 201
    # A row the code cannot read: firing its timer raises (ValueError) on every attempt.
    await db.execute("UPDATE calls SET media = 'carrier_pigeon' WHERE id = 't-poisoned'")
    armed_due = await db.fetchval("SELECT due_at FROM call_timers WHERE call_id = 't-poisoned'")
    failures_before = _sample("timers_fire_failures_total", timer="sla")

    async def retried_twice() -> Any:
        return await db.fetchrow(
            "SELECT fire_attempts, due_at, last_error FROM call_timers"
            " WHERE call_id = 't-poisoned' AND fire_attempts >= 2"
        )

    with structlog.testing.capture_logs() as logs:
        async with worker(fresh_database_url) as task:
            await eventually(lambda: _breached(db, "t-healthy"), deadline_s=10)
            retried = await eventually(retried_twice, deadline_s=10)
            assert retried["due_at"] > armed_due
            assert retried["last_error"] == "ValueError"
            assert await eventually(lambda: _gauge_is(1.0), deadline_s=5)
            assert not task.done()

            await db.execute("UPDATE calls SET media = 'voice' WHERE id = 't-poisoned'")
            await eventually(lambda: _breached(db, "t-poisoned"), deadline_s=10)
            assert await eventually(lambda: _gauge_is(0.0), deadline_s=5)
    assert _sample("timers_fire_failures_total", timer="sla") - failures_before >= 2
    failed = [e for e in logs if e["event"] == "timer_fire_failed"]
    assert failed[0]["call_id"] == "t-poisoned"
    assert (failed[0]["timer"], failed[0]["error"], failed[0]["attempt"]) == (
        "sla",
        "ValueError",
        1,
    )
    assert all("carrier_pigeon" not in str(e) for e in failed)  # no data from the row
    assert await db.fetchval("SELECT count(*) FROM call_timers") == 0


async def _gauge_is(value: float) -> bool:
    return _sample("timers_failing") == value


async def test_each_failure_doubles_the_delay_up_to_the_cap_until_the_timer_is_re_armed(
    db: Any,
) -> None:
    await db.execute(
        "INSERT INTO calls (id, status, queue_id, media, start_time, last_seq, updated_at)"
        " VALUES ('t-backoff', 'waiting', $1, 'voice', now(), 1, now())",
        FAST_QUEUE,
    )
    await db.execute(
        "INSERT INTO call_timers (call_id, kind, due_at) VALUES ('t-backoff', 'sla', now())"
    )
    now = datetime.now(UTC)
    delays = []
    for _ in range(4):
        retry = await record_failure(db, "t-backoff", TimerKind.SLA, now, "ValueError", 1.0, 5.0)
        assert retry is not None
        delays.append((retry.attempts, (retry.due_at - now).total_seconds()))
        assert await record_failure(db, "t-backoff", TimerKind.SLA, now, "E", 1, 5) is None
        now = retry.due_at  # not due before then
    assert delays == [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0)]
    assert await count_failing(db) == 1
    # What an event re-arming the timer does (events_repository): a new due time and armed_at.
    await db.execute(
        "UPDATE call_timers SET due_at = now() - interval '1 second', armed_at = now()"
    )
    assert await count_failing(db) == 0
    retry = await record_failure(db, "t-backoff", TimerKind.SLA, now, "ValueError", 1.0, 5.0)
    assert retry is not None
    assert (retry.attempts, (retry.due_at - now).total_seconds()) == (1, 1.0)
