"""Dispatch and claims on real PostgreSQL: fan-out once, claims exclusive and bounded."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from call_service.adapters.postgres.integration_outbox import PostgresIntegrationOutbox
from call_service.adapters.postgres.pool import create_pool
from call_service.adapters.postgres.webhook_deliveries import (
    AttemptOutcome,
    claim,
    dispatch,
    purge_dispatched,
    record_attempt,
    release,
)


@pytest.fixture
async def pool(fresh_database_url: str) -> AsyncIterator[Any]:
    pool = await create_pool(fresh_database_url, max_size=4)
    yield pool
    await pool.close()


async def add_webhook(pool: Any, *event_types: str) -> uuid.UUID:
    webhook_id = uuid.uuid4()
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO webhooks (id, url, event_types, secret) VALUES ($1, $2, $3, $4)",
            webhook_id,
            "http://127.0.0.1:9/hook",
            list(event_types),
            "secret-of-sixteen-chars",
        )
    return webhook_id


async def add_events(pool: Any, event_type: str, count: int) -> None:
    async with pool.acquire() as conn, conn.transaction():
        outbox = PostgresIntegrationOutbox(conn, set())
        for n in range(count):
            await outbox.add(event_type, {"id": f"e-{n}", "type": event_type}, f"corr-{n}")


async def deliveries(pool: Any) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM webhook_deliveries ORDER BY integration_outbox_id")
    return [dict(r) for r in rows]


async def test_each_event_becomes_one_delivery_per_subscribed_webhook(pool: Any) -> None:
    crm = await add_webhook(pool, "survey_requested", "call_ended")
    wfm = await add_webhook(pool, "survey_requested")
    await add_webhook(pool, "alert")
    await add_events(pool, "survey_requested", 2)
    await add_events(pool, "call_ended", 1)
    async with pool.acquire() as conn:
        result = await dispatch(conn, 100)
        pending = await conn.fetchval(
            "SELECT count(*) FROM integration_outbox WHERE dispatched_at IS NULL"
        )
    assert (result.rows, result.deliveries, pending) == (3, 5, 0)
    rows = await deliveries(pool)
    assert sorted(str(r["webhook_id"]) for r in rows) == sorted(map(str, [crm, crm, crm, wfm, wfm]))
    assert {r["status"] for r in rows} == {"pending"}
    assert rows[0]["payload"] == {"id": "e-0", "type": "survey_requested"}
    assert rows[0]["correlation_id"] == "corr-0"


async def test_events_nobody_subscribes_to_are_not_even_written(pool: Any) -> None:
    await add_webhook(pool, "alert")
    await add_events(pool, "call_routed", 3)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM integration_outbox") == 0


async def test_concurrent_dispatchers_never_fan_an_event_out_twice(pool: Any) -> None:
    await add_webhook(pool, "alert")
    await add_events(pool, "alert", 200)

    async def drain() -> int:
        total = 0
        while True:
            async with pool.acquire() as conn:
                result = await dispatch(conn, 7)
            if not result.rows:
                return total
            total += result.deliveries

    counts = await asyncio.gather(drain(), drain(), drain())
    assert sum(counts) == 200
    assert len(await deliveries(pool)) == 200


async def test_claims_are_exclusive_and_capped_per_webhook(pool: Any) -> None:
    slow, fast = await add_webhook(pool, "alert"), await add_webhook(pool, "survey_requested")
    await add_events(pool, "alert", 10)
    await add_events(pool, "survey_requested", 3)
    async with pool.acquire() as conn:
        await dispatch(conn, 100)
    async with pool.acquire() as one, pool.acquire() as two:
        first = await claim(one, {}, 2, 100, 30)
        second = await claim(two, {slow: 1}, 2, 100, 30)
    assert not {d.id for d in first} & {d.id for d in second}
    by_webhook = [d.webhook_id for d in first]
    assert (by_webhook.count(slow), by_webhook.count(fast)) == (2, 2)
    assert [d.webhook_id for d in second].count(slow) == 1
    assert "secret" not in repr(first[0])


async def test_an_expired_claim_is_taken_over_and_a_live_one_is_not(pool: Any) -> None:
    await add_webhook(pool, "alert")
    await add_events(pool, "alert", 2)
    async with pool.acquire() as conn:
        await dispatch(conn, 100)
        crashed = await claim(conn, {}, 1, 1, 60)
        live = await claim(conn, {}, 1, 1, 60)
        assert crashed[0].id != live[0].id
        await conn.execute(  # the first worker's claim runs out
            "UPDATE webhook_deliveries SET next_attempt_at = now() - interval '1 second'"
            " WHERE id = $1",
            crashed[0].id,
        )
        taken_over = await claim(conn, {}, 5, 5, 60)
    assert [d.id for d in taken_over] == [crashed[0].id]


async def test_attempts_are_logged_and_the_last_status_sticks(pool: Any) -> None:
    await add_webhook(pool, "alert")
    await add_events(pool, "alert", 1)
    async with pool.acquire() as conn:
        await dispatch(conn, 100)
        (delivery,) = await claim(conn, {}, 1, 1, 30)
        now = datetime.now(UTC)
        await record_attempt(
            conn, delivery.id, AttemptOutcome(now, 3.0, 503, "HTTP 503"), "in_flight"
        )
        await record_attempt(conn, delivery.id, AttemptOutcome(now, 4.0, 200, None), "delivered")
        attempts = await conn.fetch(
            "SELECT status_code, error FROM webhook_delivery_attempts WHERE delivery_id = $1"
            " ORDER BY id",
            delivery.id,
        )
    (row,) = await deliveries(pool)
    assert (row["status"], row["attempts"], row["last_status_code"]) == ("delivered", 2, 200)
    assert row["delivered_at"] is not None
    assert [tuple(a) for a in attempts] == [(503, "HTTP 503"), (200, None)]


async def test_released_deliveries_are_due_again_with_their_attempts_kept(pool: Any) -> None:
    await add_webhook(pool, "alert")
    await add_events(pool, "alert", 1)
    async with pool.acquire() as conn:
        await dispatch(conn, 100)
        (delivery,) = await claim(conn, {}, 1, 1, 600)
        outcome = AttemptOutcome(datetime.now(UTC), 3.0, None, "connection failed")
        await record_attempt(conn, delivery.id, outcome, "in_flight")
        await release(conn, [delivery.id])
        (again,) = await claim(conn, {}, 1, 1, 600)
    assert (again.id, again.attempts) == (delivery.id, 1)


async def test_dispatched_events_are_purged_after_the_retention(pool: Any) -> None:
    await add_webhook(pool, "alert")
    await add_events(pool, "alert", 3)
    async with pool.acquire() as conn:
        await dispatch(conn, 2)
        assert await purge_dispatched(conn, 3600) == 0
        await conn.execute(
            "UPDATE integration_outbox SET dispatched_at = now() - interval '2h'"
            " WHERE dispatched_at IS NOT NULL"
        )
        assert await purge_dispatched(conn, 3600) == 2
        assert await conn.fetchval("SELECT count(*) FROM integration_outbox") == 1
    assert len(await deliveries(pool)) == 2
