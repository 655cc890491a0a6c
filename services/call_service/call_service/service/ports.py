"""What the use cases need from the outside world, as Protocols the adapters implement."""

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from call_service.domain.call import CallRecord, Thresholds
from contracts.calls import EventAccepted
from contracts.events import CallEvent


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class StoredEvent:
    """An accepted event with what an idempotent replay needs to answer the same body."""

    request_hash: str | None
    accepted: EventAccepted


class CallsRepository(Protocol):
    async def lock(self, call_id: str) -> CallRecord | None:
        """Read the call and hold its row lock until the transaction ends.

        The lock is what serialises the events of one call: the next event waits
        here, so `seq` is assigned one at a time and has no gaps.
        """

    async def insert(self, call: CallRecord) -> bool:
        """Insert a new call; False (and nothing written) when the id exists."""

    async def update(self, call: CallRecord) -> None: ...


class EventsRepository(Protocol):
    async def find_by_event_id(self, event_id: str) -> StoredEvent | None: ...

    async def add(
        self,
        event: CallEvent,
        call_after: dict[str, Any],
        request_hash: str | None,
        correlation_id: str | None,
    ) -> None:
        """Append to the audit log; raises DuplicateEventId if the event_id is taken."""


class QueuesRepository(Protocol):
    async def thresholds(self, queue_id: str) -> Thresholds | None: ...


class Outbox(Protocol):
    async def add(
        self, ordering_key: str, kind: str, payload: dict[str, Any], correlation_id: str | None
    ) -> None:
        """Queue a message for the relay, inside the caller's transaction."""


class UnitOfWork(Protocol):
    """One transaction: everything written through it commits together or not at all."""

    @property
    def calls(self) -> CallsRepository: ...
    @property
    def events(self) -> EventsRepository: ...
    @property
    def queues(self) -> QueuesRepository: ...
    @property
    def outbox(self) -> Outbox: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Commit when the block succeeded, else roll back."""


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
