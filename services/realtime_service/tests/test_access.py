"""Each subscribe checks the connection's key again: against the current ring, per room kind."""

import pytest

from contracts.enums import Scope
from realtime_service.access import KEY_REVOKED, ROOM_SCOPES, refusal
from realtime_service.app import NAMESPACE_KEY
from realtime_service.rooms import RoomKind
from service_kit.api_keys import parse_api_keys

RING = parse_api_keys("reader:calls:read,writer:events:write,root:admin")


def test_every_room_kind_has_its_scope_in_the_one_table() -> None:
    assert set(ROOM_SCOPES) == set(RoomKind)
    assert set(ROOM_SCOPES.values()) == {Scope.CALLS_READ}


@pytest.mark.parametrize("kind", list(RoomKind))
def test_a_key_with_the_scope_or_admin_may_join(kind: RoomKind) -> None:
    assert refusal(RING.identify("reader"), kind) is None
    assert refusal(RING.identify("root"), kind) is None


@pytest.mark.parametrize("kind", list(RoomKind))
def test_a_key_without_the_scope_is_refused_naming_it(kind: RoomKind) -> None:
    error = refusal(RING.identify("writer"), kind)

    assert error == f"forbidden: {kind.value} rooms need the calls:read scope"


def test_a_key_no_longer_in_the_ring_is_refused() -> None:
    assert refusal(None, RoomKind.CALLS) == KEY_REVOKED
    assert KEY_REVOKED.startswith("forbidden: ")


async def test_subscribe_after_the_key_left_the_ring_is_forbidden(realtime, connect, keys):
    listener = await connect(keys.read)
    assert await listener.subscribe("calls") == {"ok": True}

    realtime.app[NAMESPACE_KEY].replace_keys(parse_api_keys(f"{keys.admin}:admin"))

    assert await listener.subscribe("alerts") == {"ok": False, "error": KEY_REVOKED}


async def test_subscribe_after_the_key_lost_its_scope_is_forbidden(realtime, connect, keys):
    listener = await connect(keys.read)

    realtime.app[NAMESPACE_KEY].replace_keys(parse_api_keys(f"{keys.read}:events:write"))
    ack = await listener.subscribe("call:c-1")

    assert ack == {
        "ok": False,
        "error": "forbidden: call:<call_id> rooms need the calls:read scope",
    }
    assert "c-1" not in str(realtime.app[NAMESPACE_KEY].rooms(listener.client.get_sid()))


async def test_a_rotated_ring_that_keeps_the_key_keeps_it_working(realtime, connect, keys):
    listener = await connect(keys.read)

    realtime.app[NAMESPACE_KEY].replace_keys(
        parse_api_keys(f"new-key:admin,{keys.read}:calls:read")
    )

    assert await listener.subscribe("queue:q-1") == {"ok": True}
