"""Socket.io room names: the only rooms a client may join, and how they are spelled.

Validating names before `enter_room` keeps clients out of rooms the server
never emits to (and out of other sockets' private sid rooms).
"""

import re
from enum import Enum

CALLS_ROOM = "calls"
ALERTS_ROOM = "alerts"
CALL_PREFIX = "call:"
QUEUE_PREFIX = "queue:"

_CALL_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_QUEUE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

UNKNOWN_ROOM = "room must be call:<call_id>, queue:<queue_id>, calls or alerts"
BAD_CALL_ID = "call_id must be 1-128 characters of A-Z a-z 0-9 . _ : -"
BAD_QUEUE_ID = "queue_id must be 1-64 characters of A-Z a-z 0-9 . _ : -"


class RoomKind(Enum):
    """The four kinds of room; `access.ROOM_SCOPES` says which scope each one needs."""

    CALL = "call:<call_id>"
    QUEUE = "queue:<queue_id>"
    CALLS = "calls"
    ALERTS = "alerts"


def room_kind(room: str) -> RoomKind | None:
    """The kind `room` is spelled as; the id after a prefix is checked by `room_error`."""
    if room == CALLS_ROOM:
        return RoomKind.CALLS
    if room == ALERTS_ROOM:
        return RoomKind.ALERTS
    if room.startswith(CALL_PREFIX):
        return RoomKind.CALL
    if room.startswith(QUEUE_PREFIX):
        return RoomKind.QUEUE
    return None


def call_room(call_id: str) -> str:
    return f"{CALL_PREFIX}{call_id}"


def queue_room(queue_id: str) -> str:
    return f"{QUEUE_PREFIX}{queue_id}"


def room_error(room: str) -> str | None:
    """None when `room` is a valid room name, else why it is not."""
    kind = room_kind(room)
    if kind is RoomKind.CALL:
        return None if _CALL_ID.fullmatch(room.removeprefix(CALL_PREFIX)) else BAD_CALL_ID
    if kind is RoomKind.QUEUE:
        return None if _QUEUE_ID.fullmatch(room.removeprefix(QUEUE_PREFIX)) else BAD_QUEUE_ID
    return UNKNOWN_ROOM if kind is None else None
