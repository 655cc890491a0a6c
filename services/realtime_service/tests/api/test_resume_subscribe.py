"""subscribe with since_seq: stored events after it, then live ones, once each, in order.

The stored side is a real PostgreSQL database migrated by the call service (`store`, in
this folder's conftest); rows are written as the call service writes them, then published
on Redis as the relay would, so every live message is in the database before it is sent.
"""

import asyncio
from typing import Any

from realtime_service.api.app_keys import RESUMES_KEY


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
