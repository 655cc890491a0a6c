"""Atomicity, per-call serialisation and idempotency races against real PostgreSQL."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from call_service.adapters.postgres.pool import create_pool
from call_service.adapters.postgres.unit_of_work import PostgresUnitOfWork
from call_service.adapters.system_clock import SystemClock
from call_service.service.ingest_event import ingest_event
from contracts.events import CallInitiatedRequest, CallRoutedRequest

from .conftest import READER, event, initiated, post

Client = TestClient[Any, Any]


class OutboxWriteFails(Exception):
    pass


class EventsFailingAfterTheirWrite:
    """The real event record (audit, outbox, timers), then a failure before commit."""

    def __init__(self, real: Any) -> None:
        self._real = real

    async def find_by_event_id(self, event_id: str) -> Any:
        return await self._real.find_by_event_id(event_id)

    async def record(self, recorded: Any) -> None:
        await self._real.record(recorded)
        raise OutboxWriteFails


class UnitOfWorkFailingAfterEventInsert(PostgresUnitOfWork):
    """The real transaction, failing right after the event and its outbox row are written."""

    async def __aenter__(self) -> "UnitOfWorkFailingAfterEventInsert":
        await super().__aenter__()
        self.events = EventsFailingAfterTheirWrite(self.events)  # type: ignore[assignment]
        return self


async def _counts(database_url: str, call_id: str) -> tuple[int, int, int | None]:
    conn = await asyncpg.connect(database_url)
    try:
        events = await conn.fetchval("SELECT count(*) FROM call_events WHERE call_id=$1", call_id)
        outbox = await conn.fetchval("SELECT count(*) FROM outbox WHERE ordering_key=$1", call_id)
        seq = await conn.fetchval("SELECT last_seq FROM calls WHERE id=$1", call_id)
    finally:
        await conn.close()
    return events, outbox, seq


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Any]:
    pool = await create_pool(database_url)
    yield pool
    await pool.close()


async def test_a_failure_after_the_event_insert_leaves_no_event_outbox_row_or_call_change(
    pool: Any, database_url: str, call_id: str
) -> None:
    good = lambda: PostgresUnitOfWork(pool)  # noqa: E731
    failing = lambda: UnitOfWorkFailingAfterEventInsert(pool)  # noqa: E731
    await ingest_event(good, SystemClock(), CallInitiatedRequest.model_validate(initiated(call_id)))
    routed = CallRoutedRequest.model_validate(
        event("call_routed", call_id, agent_id="a1", routing_time=1)
    )
    with pytest.raises(OutboxWriteFails):
        await ingest_event(failing, SystemClock(), routed)
    assert await _counts(database_url, call_id) == (1, 1, 1)


async def test_a_new_call_whose_outbox_write_fails_does_not_exist(
    fresh_database_url: str, call_id: str
) -> None:
    """A new call is one statement without BEGIN: an outbox row failing inside it
    must still leave no call, no event and no timer."""
    conn = await asyncpg.connect(fresh_database_url)
    await conn.execute(
        """
        CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'outbox refused'; END; $$;
        CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox
            FOR EACH ROW EXECUTE FUNCTION refuse_outbox();
        """
    )
    await conn.close()
    pool = await create_pool(fresh_database_url)
    try:
        initiate = CallInitiatedRequest.model_validate(initiated(call_id))
        with pytest.raises(asyncpg.exceptions.RaiseError):
            await ingest_event(lambda: PostgresUnitOfWork(pool), SystemClock(), initiate)
    finally:
        await pool.close()
    assert await _counts(fresh_database_url, call_id) == (0, 0, None)
    conn = await asyncpg.connect(fresh_database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM call_timers") == 0
    finally:
        await conn.close()


async def test_fifty_concurrent_posts_on_one_call_get_contiguous_seq_and_no_5xx(
    client: Client, call_id: str
) -> None:
    assert (await post(client, initiated(call_id))).status == 201
    routes = [
        post(client, event("call_routed", call_id, agent_id=f"agent-{i}", routing_time=i))
        for i in range(50)
    ]
    responses = await asyncio.gather(*routes)
    assert sorted(r.status for r in responses) == [201] * 50
    seqs = sorted([(await r.json())["event"]["seq"] for r in responses])
    assert seqs == list(range(2, 52))
    log = await client.get(f"/api/calls/{call_id}/events", headers={"X-API-Key": READER})
    assert [e["seq"] for e in (await log.json())["data"]] == list(range(1, 52))


async def test_concurrent_duplicates_of_one_event_id_write_it_once(
    client: Client, call_id: str
) -> None:
    body = {**initiated(call_id), "event_id": f"{call_id}-dup"}
    responses = await asyncio.gather(*(post(client, body) for _ in range(10)))
    assert sorted(r.status for r in responses) == [200] * 9 + [201]
    bodies = [await r.json() for r in responses]
    assert all(b == bodies[0] for b in bodies)


async def test_concurrent_reuse_of_an_event_id_on_two_calls_accepts_one(
    client: Client, call_id: str
) -> None:
    shared = f"{call_id}-shared"
    a = {**initiated(f"{call_id}-a"), "event_id": shared}
    b = {**initiated(f"{call_id}-b"), "event_id": shared}
    responses = await asyncio.gather(*(post(client, x) for x in [a, b] * 5))
    assert sorted(r.status for r in responses).count(201) == 1
    assert {r.status for r in responses} <= {200, 201, 409}
