"""subscribe with since_seq: stored events after it, then live ones, once each, in order.

The stored side is a real PostgreSQL database migrated by the call service (the devstack
`database_url` fixture); rows are written as the call service writes them, then published
on Redis as the relay would, so every live message is in the database before it is sent.
"""

import asyncio
import dataclasses
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import asyncpg
import pytest

from contracts.realtime import CallEventEnvelope
from realtime_service.acks import (
    BAD_REQUEST,
    RESUME_CALL_ROOMS_ONLY,
    RESUME_DOWN,
    RESUME_NO_DATABASE,
    RESUME_TOO_FAR,
)
from realtime_service.app import METRICS_KEY, NAMESPACE_KEY, RESUMES_KEY

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
MANY_EVENTS = """
INSERT INTO call_events (id, call_id, seq, type, occurred_at, received_at, data, call_after)
SELECT gen_random_uuid(), $1, s, 'call_routed', now(), now(), '{}'::jsonb, $2::jsonb
FROM generate_series($3::int, $4::int) AS s
"""

Store = Callable[[CallEventEnvelope], Awaitable[None]]


@pytest.fixture
async def store(database_url: str) -> Any:
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


async def _resume(listener, room: str, since_seq: object) -> dict[str, Any]:
    ack: dict[str, Any] = await listener.client.call(
        "subscribe", {"room": room, "since_seq": since_seq}, timeout=10
    )
    return ack


async def _seqs_until(listener, call_id: str, last: int) -> list[int]:
    """The seqs of `call_id` received until `last` arrives."""
    seqs: list[int] = []
    while not seqs or seqs[-1] < last:
        name, payload = await listener.next()
        if name == "call_event" and payload["event"]["call_id"] == call_id:
            seqs.append(payload["event"]["seq"])
    return seqs


async def test_resume_replays_the_stored_events_after_since_seq_then_goes_live(
    resumable, connect, store, make_call_event, call_id
):
    stored = [make_call_event(call_id=call_id, seq=s) for s in range(1, 6)]
    for envelope in stored:
        await store(envelope)
    listener = await connect(url=resumable.url)

    ack = await _resume(listener, f"call:{call_id}", 2)

    assert ack == {"ok": True, "resumed": 3}
    replayed = [listener.received.get_nowait()[1] for _ in range(3)]  # all before the ack
    assert replayed == [e.message.model_dump(mode="json") for e in stored[2:]]
    live = make_call_event(call_id=call_id, seq=6)
    await store(live)
    await resumable.publish(live)
    assert (await listener.next())[1] == live.message.model_dump(mode="json")
    assert not resumable.app[RESUMES_KEY].resuming(listener.client.get_sid(), call_id)


async def test_resume_while_events_keep_coming_has_no_gap_and_no_repeat(
    resumable, connect, store, make_call_event, call_id
):
    for seq in range(1, 6):
        await store(make_call_event(call_id=call_id, seq=seq))
    listener = await connect(url=resumable.url)

    async def produce() -> None:
        for seq in range(6, 41):
            envelope = make_call_event(call_id=call_id, seq=seq)
            await store(envelope)
            await resumable.publish(envelope)

    producer = asyncio.create_task(produce())
    await asyncio.sleep(0.02)  # let the first live events go out before the subscribe
    ack = await _resume(listener, f"call:{call_id}", 3)
    await producer

    assert ack["ok"] is True
    assert ack["resumed"] >= 2
    assert await _seqs_until(listener, call_id, 40) == list(range(4, 41))


async def test_stored_events_still_in_flight_to_redis_are_not_delivered_twice(
    resumable, connect, store, make_call_event, call_id
):
    # Committed (so in the backlog) but published by the relay only after the resume.
    in_flight = [make_call_event(call_id=call_id, seq=s) for s in range(1, 5)]
    for envelope in in_flight:
        await store(envelope)
    listener = await connect(url=resumable.url)
    assert await listener.subscribe("calls") == {"ok": True}

    assert await _resume(listener, f"call:{call_id}", 1) == {"ok": True, "resumed": 3}
    for envelope in in_flight[2:]:
        await resumable.publish(envelope)
    after = make_call_event(call_id=call_id, seq=5)
    await store(after)
    await resumable.publish(after)

    assert await _seqs_until(listener, call_id, 5) == [2, 3, 4, 5]


async def test_a_socket_also_in_calls_gets_each_event_once(
    resumable, connect, store, make_call_event, call_id
):
    for seq in (1, 2):
        await store(make_call_event(call_id=call_id, seq=seq))
    listener = await connect(url=resumable.url)
    assert await listener.subscribe("calls") == {"ok": True}

    assert await _resume(listener, f"call:{call_id}", 0) == {"ok": True, "resumed": 2}
    for seq in (3, 4):
        envelope = make_call_event(call_id=call_id, seq=seq)
        await store(envelope)
        await resumable.publish(envelope)

    assert await _seqs_until(listener, call_id, 4) == [1, 2, 3, 4]


async def test_since_seq_beyond_the_last_seq_gives_just_the_live_events(
    resumable, connect, store, make_call_event, call_id
):
    for seq in (1, 2):
        await store(make_call_event(call_id=call_id, seq=seq))
    listener = await connect(url=resumable.url)

    assert await _resume(listener, f"call:{call_id}", 10) == {"ok": True, "resumed": 0}
    live = make_call_event(call_id=call_id, seq=3)
    await store(live)
    await resumable.publish(live)

    assert await _seqs_until(listener, call_id, 3) == [3]


async def test_resuming_a_call_not_stored_yet_gets_it_from_its_first_event(
    resumable, connect, store, make_call_event, call_id
):
    listener = await connect(url=resumable.url)

    assert await _resume(listener, f"call:{call_id}", 0) == {"ok": True, "resumed": 0}
    first = make_call_event(call_id=call_id, seq=1)
    await store(first)
    await resumable.publish(first)

    assert await _seqs_until(listener, call_id, 1) == [1]


async def test_too_far_behind_is_refused_and_leaves_the_socket_out_of_the_room(
    resumable, connect, store, make_call_event, call_id
):
    last = make_call_event(call_id=call_id, seq=1002)
    await store(last)
    await store.conn.execute(MANY_EVENTS, call_id, last.message.call.model_dump_json(), 1, 1001)
    listener = await connect(url=resumable.url)

    assert await _resume(listener, f"call:{call_id}", 1) == {"ok": False, "error": RESUME_TOO_FAR}
    rooms = resumable.app[NAMESPACE_KEY].rooms(listener.client.get_sid())
    assert f"call:{call_id}" not in rooms
    assert await _resume(listener, f"call:{call_id}", 2) == {"ok": True, "resumed": 1000}
    metrics = resumable.app[METRICS_KEY]
    assert metrics.resumes.labels(outcome="too_far")._value.get() == 1
    assert metrics.resumed_events._value.get() == 1000


@pytest.mark.parametrize("room", ["calls", "alerts", "queue:q-main"])
async def test_since_seq_is_refused_outside_call_rooms(resumable, connect, room):
    listener = await connect(url=resumable.url)

    ack = await _resume(listener, room, 0)

    assert ack == {"ok": False, "error": RESUME_CALL_ROOMS_ONLY}
    assert "REST" in ack["error"]


@pytest.mark.parametrize("since_seq", [-1, "3", 1.5, True, None, 2**31])
async def test_since_seq_must_be_a_small_non_negative_integer(realtime, connect, since_seq):
    listener = await connect()

    ack = await _resume(listener, "call:c-1", since_seq)

    if since_seq is None:  # the same as leaving it out
        assert ack == {"ok": True}
    else:
        assert ack == {"ok": False, "error": BAD_REQUEST}


async def test_unsubscribe_does_not_take_since_seq(realtime, connect):
    listener = await connect()

    ack = await listener.client.call("unsubscribe", {"room": "call:c-1", "since_seq": 1})

    assert ack == {"ok": False, "error": BAD_REQUEST}


async def test_without_a_database_resume_is_refused_and_nothing_is_held(
    realtime, connect, make_call_event
):
    listener = await connect()

    assert await _resume(listener, "call:c-1", 0) == {"ok": False, "error": RESUME_NO_DATABASE}
    assert not realtime.app[RESUMES_KEY].resuming(listener.client.get_sid(), "c-1")
    assert await listener.subscribe("call:c-1") == {"ok": True}  # the fallback
    await realtime.publish(make_call_event(call_id="c-1", seq=1))
    assert (await listener.next())[1]["event"]["seq"] == 1


async def test_with_the_database_down_resume_is_refused_and_live_delivery_goes_on(
    start, settings, unused_tcp_port, connect, make_call_event
):
    down = f"postgresql://postgres@127.0.0.1:{unused_tcp_port}/calls"
    running = await start(dataclasses.replace(settings, database_url=down))
    listener = await connect(url=running.url)
    assert await listener.subscribe("calls") == {"ok": True}

    assert await _resume(listener, "call:c-1", 0) == {"ok": False, "error": RESUME_DOWN}

    sid = listener.client.get_sid()
    assert not running.app[RESUMES_KEY].resuming(sid, "c-1")
    assert "call:c-1" not in running.app[NAMESPACE_KEY].rooms(sid)
    await running.publish(make_call_event(call_id="c-1", seq=1))
    assert (await listener.next())[1]["event"]["seq"] == 1  # through `calls`, once
    async with aiohttp.ClientSession() as session, session.get(f"{running.url}/ready") as r:
        assert r.status == 503
        assert (await r.json())["checks"]["postgres"] == "unavailable"


async def test_ready_checks_postgres_when_configured(resumable):
    async with aiohttp.ClientSession() as session, session.get(f"{resumable.url}/ready") as r:
        body = await r.json()
    assert r.status == 200
    assert body["checks"] == {"redis": "ok", "subscriber": "ok", "postgres": "ok"}
