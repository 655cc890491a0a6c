"""Relay envelopes published on Redis reach the right sockets, once each.

Absence is proven without sleeping: after the messages under test, a sentinel
event is published; emits are sequential, so once the sentinel arrives every
earlier emit to that socket has arrived too.
"""

import asyncio

from contracts.realtime import AlertMessage, CallEventMessage
from realtime_service.api.app_keys import METRICS_KEY


async def test_call_event_reaches_a_call_room_subscriber(realtime, connect, make_call_event):
    listener = await connect()
    assert await listener.subscribe("call:c-1") == {"ok": True}
    envelope = make_call_event(call_id="c-1", seq=1)

    await realtime.publish(envelope)

    name, payload = await listener.next()
    assert name == "call_event"
    assert CallEventMessage.model_validate(payload) == envelope.message


async def test_socket_in_call_queue_and_calls_rooms_gets_each_event_once(
    realtime, connect, make_call_event
):
    listener = await connect()
    for room in ("call:c-1", "queue:q-main", "calls"):
        assert await listener.subscribe(room) == {"ok": True}

    await realtime.publish(make_call_event(call_id="c-1", seq=1, queue_id="q-main"))
    await realtime.publish(make_call_event(call_id="sentinel", seq=1, queue_id="q-other"))

    events = await listener.next_call_events_until("sentinel")
    assert [(e["event"]["call_id"], e["event"]["seq"]) for e in events] == [
        ("c-1", 1),
        ("sentinel", 1),
    ]


async def test_queue_subscriber_gets_only_its_queues_events(realtime, connect, make_call_event):
    listener = await connect()
    await listener.subscribe("queue:q-a")
    await listener.subscribe("call:sentinel")

    await realtime.publish(make_call_event(call_id="c-b", seq=1, queue_id="q-b"))
    await realtime.publish(make_call_event(call_id="c-a", seq=1, queue_id="q-a"))
    await realtime.publish(make_call_event(call_id="sentinel", seq=1))

    events = await listener.next_call_events_until("sentinel")
    assert [e["event"]["call_id"] for e in events] == ["c-a", "sentinel"]


async def test_repeated_envelope_is_delivered_once(realtime, connect, make_call_event):
    listener = await connect()
    await listener.subscribe("calls")
    first, second = make_call_event(call_id="c-1", seq=1), make_call_event(call_id="c-1", seq=2)

    # A relay crash between publish and commit redelivers; two relays deliver twice.
    for envelope in (first, first, second, first, second):
        await realtime.publish(envelope)
    await realtime.publish(make_call_event(call_id="sentinel", seq=1))

    events = await listener.next_call_events_until("sentinel")
    assert [(e["event"]["call_id"], e["event"]["seq"]) for e in events] == [
        ("c-1", 1),
        ("c-1", 2),
        ("sentinel", 1),
    ]
    dropped = realtime.app[METRICS_KEY].dropped_duplicates.labels(kind="call_event")
    assert dropped._value.get() == 3


async def test_gap_in_seq_is_still_delivered(realtime, connect, make_call_event):
    listener = await connect()
    await listener.subscribe("call:c-1")

    await realtime.publish(make_call_event(call_id="c-1", seq=1))
    await realtime.publish(make_call_event(call_id="c-1", seq=3))

    assert (await listener.next())[1]["event"]["seq"] == 1
    assert (await listener.next())[1]["event"]["seq"] == 3
    assert realtime.app[METRICS_KEY].sequence_gaps._value.get() == 1


async def test_alert_reaches_alerts_subscribers_once(realtime, connect, make_alert):
    listener = await connect()
    await listener.subscribe("alerts")
    alert = make_alert(alert_id="al-1")

    await realtime.publish(alert)
    await realtime.publish(alert)
    await realtime.publish(make_alert(alert_id="al-2"))

    first, second = await listener.next(), await listener.next()
    assert first == ("alert", alert.message.model_dump(mode="json"))
    assert AlertMessage.model_validate(first[1]) == alert.message
    assert second[1]["id"] == "al-2"


async def test_bad_messages_are_skipped_and_the_loop_keeps_going(
    realtime, connect, make_call_event
):
    listener = await connect()
    await listener.subscribe("call:c-1")

    for garbage in ("not json", '{"kind": "nope"}', '{"kind": "call_event"}', "[]"):
        await realtime.publish(garbage)
    await realtime.publish(make_call_event(call_id="c-1", seq=1))

    name, payload = await listener.next()
    assert (name, payload["event"]["call_id"]) == ("call_event", "c-1")
    assert realtime.app[METRICS_KEY].invalid_messages._value.get() == 4


async def test_unsubscribed_socket_stops_receiving(realtime, connect, make_call_event):
    listener = await connect()
    await listener.subscribe("call:c-1")
    await listener.subscribe("call:sentinel")
    assert await listener.client.call("unsubscribe", {"room": "call:c-1"}) == {"ok": True}

    await realtime.publish(make_call_event(call_id="c-1", seq=1))
    await realtime.publish(make_call_event(call_id="sentinel", seq=1))

    events = await listener.next_call_events_until("sentinel")
    assert [e["event"]["call_id"] for e in events] == ["sentinel"]


async def test_each_realtime_process_delivers_once_to_its_own_sockets(
    realtime, start, connect, make_call_event
):
    other = await start()
    here, there = await connect(), await connect(url=other.url)
    await here.subscribe("calls")
    await there.subscribe("calls")

    await realtime.publish(make_call_event(call_id="c-1", seq=1))
    await realtime.publish(make_call_event(call_id="sentinel", seq=1))

    for listener in (here, there):
        events = await listener.next_call_events_until("sentinel")
        assert [e["event"]["call_id"] for e in events] == ["c-1", "sentinel"]


async def test_events_of_one_call_arrive_in_seq_order(realtime, connect, make_call_event):
    listener = await connect()
    await listener.subscribe("call:c-1")

    for seq in range(1, 21):
        await realtime.publish(make_call_event(call_id="c-1", seq=seq))

    seqs = [(await listener.next())[1]["event"]["seq"] for _ in range(20)]
    assert seqs == list(range(1, 21))


async def test_long_polling_client_like_the_js_default_receives_events(
    realtime, connect, make_call_event, eventually
):
    listener = await connect(transports=["polling"])
    await listener.subscribe("calls")

    await realtime.publish(make_call_event(call_id="c-1", seq=1))

    name, payload = await listener.next()
    assert (name, payload["event"]["call_id"]) == ("call_event", "c-1")
    # Shutdown closes the socket itself, which also releases its pending long-poll.
    await asyncio.wait_for(realtime.server.close(), 2)
    await eventually(lambda: not listener.client.connected)
