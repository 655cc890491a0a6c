"""What the use cases need of the world: the stored events, the Socket.io server, counters.

Protocols only. The adapters implement them (`adapters.postgres_backlog`,
`adapters.metrics`); python-socketio's server and the `/` namespace fit `Broadcaster` and
`SocketRooms` as they are.
"""

from typing import Any, Protocol

from realtime_service.domain.backlog import Backlog


class BacklogUnavailable(Exception):
    """The stored events cannot be read now; the message says why, without the URL."""


class BacklogSource(Protocol):
    async def read(self, call_id: str, since_seq: int) -> Backlog:
        """The events of `call_id` after `since_seq` and its last seq, from one snapshot;
        `BacklogUnavailable` when they cannot be read now."""
        ...


class Broadcaster(Protocol):
    """The Socket.io server as the relay uses it: one emit to every room of a message."""

    async def emit(
        self, event: str, data: Any, *, to: list[str], skip_sid: list[str] | None = None
    ) -> None: ...


class SocketRooms(Protocol):
    """The `/` namespace as a resume uses it: one socket's rooms, and emits to it alone."""

    async def enter_room(self, sid: str, room: str) -> None: ...

    async def leave_room(self, sid: str, room: str) -> None: ...

    async def emit(self, event: str, data: Any, *, to: str) -> None: ...

    def rooms(self, sid: str) -> list[str]: ...


class Counter(Protocol):
    def inc(self, amount: float = 1) -> None: ...


class LabelledCounter(Protocol):
    def labels(self, **labels: str) -> Counter: ...


class RelayCounters(Protocol):
    """What delivering relay messages counts (`realtime_emitted_messages` …)."""

    @property
    def emitted_messages(self) -> LabelledCounter: ...

    @property
    def dropped_duplicates(self) -> LabelledCounter: ...

    @property
    def sequence_gaps(self) -> Counter: ...

    @property
    def invalid_messages(self) -> Counter: ...


class ResumeCounters(Protocol):
    """What resuming call rooms counts (`realtime_resumes`, `realtime_resumed_events`)."""

    @property
    def resumes(self) -> LabelledCounter: ...

    @property
    def resumed_events(self) -> Counter: ...
