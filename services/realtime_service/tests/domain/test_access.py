"""The one table of who may join what: each room kind's scope, and why a key is refused."""

import pytest

from contracts.enums import Scope
from realtime_service.domain.access import KEY_REVOKED, ROOM_SCOPES, refusal
from realtime_service.domain.rooms import RoomKind
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
