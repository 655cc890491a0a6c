"""What a resume replays: a call's stored events after a given seq, and how many at most.

The events are read from the database (`adapters.postgres_backlog`), which is ahead of the
live stream; `last_seq` is the call's last seq in the same snapshot, so the seam
(`resume_seam`) releases only live messages newer than it.
"""

from dataclasses import dataclass
from typing import Any

MAX_EVENTS = 1000
"""A resume replays at most this many events; further behind, the client reads the REST API."""


@dataclass(frozen=True)
class Backlog:
    messages: list[dict[str, Any]]
    """`call_event` payloads with seq > since_seq, in seq order (at most `MAX_EVENTS`)."""
    last_seq: int
    """The call's last seq in the same snapshot (0 for a call not stored yet): every live
    message at or below it is in the database, so the seam releases only newer ones."""
    complete: bool
    """False when more than `MAX_EVENTS` events follow since_seq (messages is then empty)."""
