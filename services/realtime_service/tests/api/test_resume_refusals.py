"""subscribe with since_seq refused: too far behind, outside call rooms, a bad since_seq,
no database or one that is down. The socket is left as it was and live delivery goes on."""

import dataclasses
from typing import Any

import aiohttp
import pytest

from realtime_service.api.app_keys import METRICS_KEY, NAMESPACE_KEY, RESUMES_KEY
from realtime_service.domain.acks import (
    BAD_REQUEST,
    RESUME_CALL_ROOMS_ONLY,
    RESUME_DOWN,
    RESUME_NO_DATABASE,
    RESUME_TOO_FAR,
)

MANY_EVENTS = """
INSERT INTO call_events (id, call_id, seq, type, occurred_at, received_at, data, call_after)
SELECT gen_random_uuid(), $1, s, 'call_routed', now(), now(), '{}'::jsonb, $2::jsonb
FROM generate_series($3::int, $4::int) AS s
"""


async def _resume(listener, room: str, since_seq: object) -> dict[str, Any]:
    ack: dict[str, Any] = await listener.client.call(
        "subscribe", {"room": room, "since_seq": since_seq}, timeout=10
    )
    return ack


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
