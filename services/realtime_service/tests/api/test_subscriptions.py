"""subscribe / unsubscribe answer with an ack naming what went wrong."""

import pytest

from realtime_service.api.namespace import DEFAULT_MAX_ROOMS
from realtime_service.domain.acks import BAD_REQUEST
from realtime_service.domain.rooms import BAD_CALL_ID, UNKNOWN_ROOM


@pytest.mark.parametrize(
    ("room", "error"),
    [
        ("lobby", UNKNOWN_ROOM),
        ("call:", BAD_CALL_ID),
        ("call:bad id", BAD_CALL_ID),
    ],
)
async def test_bad_room_gets_an_ack_with_ok_false(connect, room, error):
    listener = await connect()

    assert await listener.subscribe(room) == {"ok": False, "error": error}


@pytest.mark.parametrize(
    "data",
    [None, "calls", {"room": 5}, {"room": ""}, {"room": "calls", "extra": 1}, {"room": "x" * 201}],
)
async def test_malformed_subscribe_request_gets_an_ack_with_ok_false(connect, data):
    listener = await connect()

    ack = await listener.client.call("subscribe", data, timeout=5)

    assert ack == {"ok": False, "error": BAD_REQUEST}


async def test_socket_cannot_join_its_own_or_another_sockets_sid_room(connect):
    listener = await connect()
    other = await connect()

    ack = await listener.subscribe(other.client.get_sid())

    assert ack["ok"] is False


async def test_subscriptions_per_socket_are_bounded(connect):
    listener = await connect()
    for n in range(DEFAULT_MAX_ROOMS):
        assert await listener.subscribe(f"call:c-{n}") == {"ok": True}

    refused = await listener.subscribe("calls")
    again = await listener.subscribe("call:c-0")

    assert refused["ok"] is False
    assert "limit" in refused["error"]
    assert again == {"ok": True}


async def test_unsubscribe_frees_a_slot_and_is_idempotent(connect):
    listener = await connect()
    for n in range(DEFAULT_MAX_ROOMS):
        await listener.subscribe(f"call:c-{n}")

    for _ in range(2):
        ack = await listener.client.call("unsubscribe", {"room": "call:c-0"}, timeout=5)
        assert ack == {"ok": True}
    assert await listener.subscribe("calls") == {"ok": True}


async def test_unsubscribe_with_a_bad_room_gets_an_ack_with_ok_false(connect):
    listener = await connect()

    ack = await listener.client.call("unsubscribe", {"room": "lobby"}, timeout=5)

    assert ack == {"ok": False, "error": UNKNOWN_ROOM}
