"""What the use cases need from the outside world, as Protocols the adapters implement."""

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from call_service.domain.agents import AgentChange
from call_service.domain.call import CallRecord, Thresholds
from call_service.domain.timers import TimerKind, TimerPlan
from contracts.alerts import Alert
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

    async def lock_if_free(self, call_id: str) -> CallRecord | None:
        """Like `lock`, but None at once when another transaction holds the call."""

    async def insert(self, call: CallRecord) -> bool:
        """Insert a new call; False (and nothing written) when the id exists."""


@dataclass(frozen=True)
class OutboxMessage:
    """A row for an outbox: what the relay (or the webhook dispatcher) will send."""

    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class RecordedEvent:
    """An accepted event and the writes every event makes, stored in one round trip.

    The audit row, the realtime outbox row, the integration outbox row (kept only
    if a webhook subscribes to its type) and the call's timer changes.
    """

    event: CallEvent
    call_after: dict[str, Any]
    request_hash: str | None
    correlation_id: str | None
    realtime: OutboxMessage
    integration: OutboxMessage
    timers: TimerPlan
    call: CallRecord | None = None
    """The call's new state to write in the same statement; None when already written."""


class EventsRepository(Protocol):
    async def find_by_event_id(self, event_id: str) -> StoredEvent | None: ...

    async def record(self, recorded: RecordedEvent) -> None:
        """Write the event and its companions; raises DuplicateEventId if the event_id is taken."""

    async def record_new_call(self, recorded: RecordedEvent) -> bool:
        """Create `recorded.call` with its first event, as the unit of work's only write.

        False, with nothing written, when the call id or the event_id is taken (the
        caller then takes the general path, which tells a replay from a conflict).
        """

    async def record_new_calls(self, batch: list[RecordedEvent]) -> set[str]:
        """`record_new_call` for many calls in one statement; the ids of the calls created."""


class QueuesRepository(Protocol):
    async def thresholds(self, queue_id: str) -> Thresholds | None: ...


class Outbox(Protocol):
    async def add(
        self, ordering_key: str, kind: str, payload: dict[str, Any], correlation_id: str | None
    ) -> None:
        """Queue a message for the relay, inside the caller's transaction."""


class TimersRepository(Protocol):
    async def take_due(self, call_id: str, kind: TimerKind, now: datetime) -> datetime | None:
        """Remove the timer if it is still due and return its due time, else None."""


class AlertsRepository(Protocol):
    async def add(self, alert: Alert) -> None: ...


class AgentsRepository(Protocol):
    async def apply(self, changes: list[AgentChange], call_id: str, at: datetime) -> None: ...


class IntegrationOutbox(Protocol):
    async def add(
        self, event_type: str, payload: dict[str, Any], correlation_id: str | None
    ) -> None:
        """Queue an integration event for webhooks (written only if one subscribes)."""


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
    @property
    def timers(self) -> TimersRepository: ...
    @property
    def alerts(self) -> AlertsRepository: ...
    @property
    def agents(self) -> AgentsRepository: ...
    @property
    def integrations(self) -> IntegrationOutbox: ...

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
