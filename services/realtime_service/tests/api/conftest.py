"""Fixtures of the resume tests: the call service's tables written as it writes them, and an
app that reads them (the devstack `database_url` fixture: a database migrated by the call
service)."""

import dataclasses
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pytest

from contracts.realtime import CallEventEnvelope

QUEUE = """
INSERT INTO queues (id, name, sla_seconds, no_answer_seconds, max_hold_seconds,
                    short_call_seconds)
VALUES ($1, $1, 30, 15, 60, 10) ON CONFLICT (id) DO NOTHING
"""
CALL = """
INSERT INTO calls (id, status, queue_id, media, start_time, last_seq, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, last_seq = EXCLUDED.last_seq
"""
EVENT = """
INSERT INTO call_events (id, event_id, call_id, seq, type, occurred_at, received_at, data,
                         call_after)
VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)
"""
Store = Callable[[CallEventEnvelope], Awaitable[None]]


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Any]:
    """Write one event as the call service does: its audit row and the call's new state."""
    conn = await asyncpg.connect(database_url)

    async def write(envelope: CallEventEnvelope) -> None:
        event, call = envelope.message.event, envelope.message.call
        async with conn.transaction():
            await conn.execute(QUEUE, call.queue_id)
            await conn.execute(
                CALL,
                call.id,
                call.status.value,
                call.queue_id,
                call.media.value if call.media else "voice",
                call.start_time,
                call.last_seq,
                call.updated_at,
            )
            await conn.execute(
                EVENT,
                event.id,
                event.event_id,
                event.call_id,
                event.seq,
                event.type.value,
                event.timestamp,
                event.received_at,
                json.dumps(event.data),
                call.model_dump_json(),
            )

    write.conn = conn  # type: ignore[attr-defined]
    yield write
    await conn.close()


@pytest.fixture
async def resumable(start, settings, database_url):
    return await start(dataclasses.replace(settings, database_url=database_url))


@pytest.fixture
def call_id() -> str:
    return f"resume-{uuid.uuid4().hex[:12]}"
