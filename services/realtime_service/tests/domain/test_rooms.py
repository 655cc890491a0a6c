import pytest

from realtime_service.domain.rooms import (
    BAD_CALL_ID,
    BAD_QUEUE_ID,
    UNKNOWN_ROOM,
    RoomKind,
    call_room,
    queue_room,
    room_error,
    room_kind,
)


@pytest.mark.parametrize(
    "room",
    ["calls", "alerts", "call:c-1", "call:A.b_c:d-9", "call:" + "x" * 128, "queue:" + "q" * 64],
)
def test_valid_room_names_have_no_error(room: str) -> None:
    assert room_error(room) is None


@pytest.mark.parametrize(
    ("room", "error"),
    [
        ("call:", BAD_CALL_ID),
        ("call:" + "x" * 129, BAD_CALL_ID),
        ("call:has space", BAD_CALL_ID),
        ("call:émoji", BAD_CALL_ID),
        ("queue:", BAD_QUEUE_ID),
        ("queue:" + "q" * 65, BAD_QUEUE_ID),
        ("queue:a/b", BAD_QUEUE_ID),
        ("Calls", UNKNOWN_ROOM),
        ("", UNKNOWN_ROOM),
        ("agent:a-1", UNKNOWN_ROOM),
        ("some-socket-sid", UNKNOWN_ROOM),
    ],
)
def test_invalid_room_names_get_an_error_string(room: str, error: str) -> None:
    assert room_error(room) == error


def test_call_id_with_trailing_newline_is_rejected() -> None:
    assert room_error("call:c-1\n") == BAD_CALL_ID


def test_room_builders_produce_valid_names() -> None:
    assert call_room("c-1") == "call:c-1"
    assert queue_room("q-1") == "queue:q-1"
    assert room_error(call_room("c-1")) is None
    assert room_error(queue_room("q-1")) is None


@pytest.mark.parametrize(
    ("room", "kind"),
    [
        ("call:c-1", RoomKind.CALL),
        ("queue:q-1", RoomKind.QUEUE),
        ("calls", RoomKind.CALLS),
        ("alerts", RoomKind.ALERTS),
        ("lobby", None),
        ("Calls", None),
    ],
)
def test_each_room_name_has_one_kind(room: str, kind: RoomKind | None) -> None:
    assert room_kind(room) is kind
