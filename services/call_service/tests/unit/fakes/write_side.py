"""In-memory fakes of the write-side ports (service/ports.py): use cases without PostgreSQL.

`FakeDatabase` holds the committed tables. A `FakeUnitOfWork` keeps a journal of its own
writes and reads a working copy — the committed tables with its journal replayed on top,
rebuilt whenever another unit commits (PostgreSQL's READ COMMITTED). A clean exit makes
the working copy the committed one; an exception drops it. `calls.lock` and
`calls.lock_if_free` hold the call's row lock until the unit ends, so concurrent units
serialise per call as in the database. A new call written with its first event
(`record_new_call`, `record_new_calls`) by a unit that has run no transactional statement
yet commits at once and ends the unit, as adapters/postgres/lazy_transaction.py does.
The constraints the tables enforce are checked: unique `event_id` and `(call_id, seq)`,
a call's queue and an event's call must exist.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self

from call_service.domain.agents import AgentChange
from call_service.domain.call import CallRecord, Thresholds
from call_service.domain.timers import TimerKind, TimerPlan
from call_service.service.errors import DuplicateEventId
from call_service.service.ports import RecordedEvent, StoredEvent
from contracts.alerts import Alert
from contracts.calls import Call, EventAccepted
from contracts.enums import AgentStatus
from contracts.events import CallEvent


class ConstraintViolation(Exception):
    """A write the database's constraints would refuse (a bug in the caller, not input)."""


@dataclass(frozen=True)
class EventRow:
    """A row of call_events: the event and what a replay answers with."""

    event: CallEvent
    request_hash: str | None
    call_after: dict[str, Any]
    correlation_id: str | None


@dataclass(frozen=True)
class OutboxRow:
    """A row of the realtime outbox (the relay's)."""

    ordering_key: str
    kind: str
    payload: dict[str, Any]
    correlation_id: str | None


@dataclass(frozen=True)
class IntegrationRow:
    """A row of the integration outbox (the webhooks')."""

    event_type: str
    payload: dict[str, Any]
    correlation_id: str | None


@dataclass(frozen=True)
class AgentRow:
    """An agent's running numbers, kept by deltas as adapters/postgres/agents_repository.py."""

    id: str
    status: AgentStatus
    current_call_id: str | None
    updated_at: datetime
    offers: int = 0
    answered: int = 0
    missed: int = 0
    wait_total: float = 0.0
    handled: int = 0
    handle_total: float = 0.0
    hold_total: float = 0.0
    short_calls: int = 0


@dataclass
class Tables:
    """One state of the database. Rows are immutable, so copying the containers copies it."""

    calls: dict[str, CallRecord] = field(default_factory=dict)
    events: list[EventRow] = field(default_factory=list)
    outbox: list[OutboxRow] = field(default_factory=list)
    integration_outbox: list[IntegrationRow] = field(default_factory=list)
    timers: dict[tuple[str, TimerKind], datetime] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)
    agents: dict[str, AgentRow] = field(default_factory=dict)

    def copy(self) -> "Tables":
        return Tables(
            calls=dict(self.calls),
            events=list(self.events),
            outbox=list(self.outbox),
            integration_outbox=list(self.integration_outbox),
            timers=dict(self.timers),
            alerts=list(self.alerts),
            agents=dict(self.agents),
        )

    def call(self, call_id: str) -> CallRecord:
        return self.calls[call_id]

    def event_with_id(self, event_id: str) -> EventRow | None:
        return next((row for row in self.events if row.event.event_id == event_id), None)

    def events_of(self, call_id: str) -> list[CallEvent]:
        """The call's audit log in `seq` order."""
        return sorted(
            (row.event for row in self.events if row.event.call_id == call_id),
            key=lambda event: event.seq,
        )

    def outbox_of(self, call_id: str) -> list[OutboxRow]:
        """The call's realtime messages in the order they were queued."""
        return [row for row in self.outbox if row.ordering_key == call_id]

    def timers_of(self, call_id: str) -> dict[TimerKind, datetime]:
        return {kind: due for (owner, kind), due in self.timers.items() if owner == call_id}


Change = Callable[[Tables], None]
Hook = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Statement:
    """One call of a port, in the order the use cases made them."""

    name: str
    """`<port>.<method>`, e.g. `events.record_new_calls`."""
    call_ids: tuple[str, ...] = ()


RECORD_STATEMENTS = frozenset(
    {"events.record", "events.record_new_call", "events.record_new_calls"}
)
_ELSEWHERE = object()
"""Holder of a call lock taken by a transaction outside the test's units of work."""


class FakeDatabase:
    """The committed tables, the row locks, and the levers a test pulls."""

    def __init__(
        self, queues: Mapping[str, Thresholds] | None = None, webhook_types: Iterable[str] = ()
    ) -> None:
        self.committed = Tables()
        self.queues: dict[str, Thresholds] = dict(queues or {})
        """Configuration, read outside the transaction (as the adapter's cache does)."""
        self.webhook_types: set[str] = set(webhook_types)
        """Integration event types some webhook subscribes to: only those get a row."""
        self.statements: list[Statement] = []
        self.commits = 0
        self.rollbacks = 0
        self.yield_at_each_statement = False
        """Let other tasks run at every statement, as a real round trip would."""
        self._version = 0
        self._holders: dict[str, object] = {}
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._hooks: list[Hook] = []
        self._failures: dict[str, Exception] = {}

    def unit_of_work(self) -> "FakeUnitOfWork":
        """The UnitOfWorkFactory."""
        return FakeUnitOfWork(self)

    def statements_named(self, name: str) -> list[tuple[str, ...]]:
        """The call ids of every `name` statement so far, in order."""
        return [s.call_ids for s in self.statements if s.name == name]

    def before_next_record(self, hook: Hook) -> None:
        """Run `hook` (say, a concurrent request) just before the next event is recorded."""
        self._hooks.append(hook)

    def fail_at(self, statement: str, error: Exception) -> None:
        """The next `statement` (`<port>.<method>`) raises `error` instead of running."""
        self._failures[statement] = error

    def hold_elsewhere(self, call_id: str) -> None:
        """Another transaction holds the call's row lock until `release_elsewhere`."""
        assert call_id not in self._holders, f"call {call_id} is already locked"
        self._holders[call_id] = _ELSEWHERE

    def release_elsewhere(self, call_id: str) -> None:
        self.release(call_id, _ELSEWHERE)

    def commit(self, tables: Tables) -> None:
        self.committed = tables
        self._version += 1

    @property
    def version(self) -> int:
        """Bumped by every commit: a unit's working copy is stale once it moves."""
        return self._version

    def is_held_by_other(self, call_id: str, owner: object) -> bool:
        return self._holders.get(call_id, owner) is not owner

    async def acquire(self, call_id: str, owner: object) -> None:
        while self.is_held_by_other(call_id, owner):
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.setdefault(call_id, []).append(waiter)
            await waiter
        self._holders[call_id] = owner

    def release(self, call_id: str, owner: object) -> None:
        if self._holders.get(call_id) is owner:
            del self._holders[call_id]
            for waiter in self._waiters.pop(call_id, []):
                if not waiter.done():
                    waiter.set_result(None)

    async def before(self, statement: Statement) -> None:
        self.statements.append(statement)
        if self.yield_at_each_statement:
            await asyncio.sleep(0)
        if statement.name in RECORD_STATEMENTS and self._hooks:
            await self._hooks.pop(0)()
        failure = self._failures.pop(statement.name, None)
        if failure is not None:
            raise failure


class FakeUnitOfWork:
    """UnitOfWork: a journal of writes over the committed tables; commit or roll back."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self._journal: list[Change] = []
        self._working = Tables()
        self._seen_version = -1
        self._active = False
        self._touched = False
        self._finished = False
        self._locked: set[str] = set()
        self._calls = FakeCallsRepository(self)
        self._events = FakeEventsRepository(self)
        self._queues = FakeQueuesRepository(self)
        self._outbox = FakeOutbox(self)
        self._timers = FakeTimersRepository(self)
        self._alerts = FakeAlertsRepository(self)
        self._agents = FakeAgentsRepository(self)
        self._integrations = FakeIntegrationOutbox(self)

    @property
    def calls(self) -> "FakeCallsRepository":
        return self._calls

    @property
    def events(self) -> "FakeEventsRepository":
        return self._events

    @property
    def queues(self) -> "FakeQueuesRepository":
        return self._queues

    @property
    def outbox(self) -> "FakeOutbox":
        return self._outbox

    @property
    def timers(self) -> "FakeTimersRepository":
        return self._timers

    @property
    def alerts(self) -> "FakeAlertsRepository":
        return self._alerts

    @property
    def agents(self) -> "FakeAgentsRepository":
        return self._agents

    @property
    def integrations(self) -> "FakeIntegrationOutbox":
        return self._integrations

    async def __aenter__(self) -> Self:
        assert not self._active, "a unit of work is entered once at a time"
        self._active, self._touched, self._finished = True, False, False
        self._journal = []
        self._seen_version = -1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc is None:
                if self._journal:
                    self.db.commit(self.read())
                self.db.commits += 1
            else:
                self.db.rollbacks += 1
        finally:
            for call_id in self._locked:
                self.db.release(call_id, self)
            self._locked.clear()
            self._journal = []
            self._active = False

    async def statement(self, name: str, *call_ids: str, transactional: bool = True) -> None:
        assert self._active, f"{name} outside `async with`"
        if self._finished:
            raise RuntimeError("a standalone write already ended this unit of work")
        await self.db.before(Statement(name, call_ids))
        if transactional:
            self._touched = True

    def read(self) -> Tables:
        """The committed tables as they are now, with this unit's writes on top."""
        if self._seen_version != self.db.version:
            working = self.db.committed.copy()
            for change in self._journal:
                change(working)
            self._working, self._seen_version = working, self.db.version
        return self._working

    def write(self, change: Change) -> None:
        change(self.read())
        self._journal.append(change)

    def write_standalone(self, change: Change) -> None:
        """One statement outside any transaction when it is the unit's first, else in it."""
        if self._touched:
            self.write(change)
            return
        committed = self.db.committed.copy()
        change(committed)
        self.db.commit(committed)
        self._finished = True

    async def lock(self, call_id: str) -> None:
        await self.db.acquire(call_id, self)
        self._locked.add(call_id)

    def holds_elsewhere(self, call_id: str) -> bool:
        return self.db.is_held_by_other(call_id, self)


class FakeCallsRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def lock(self, call_id: str) -> CallRecord | None:
        await self._uow.statement("calls.lock", call_id)
        if call_id not in self._uow.read().calls:
            return None
        await self._uow.lock(call_id)
        return self._uow.read().calls.get(call_id)

    async def lock_if_free(self, call_id: str) -> CallRecord | None:
        await self._uow.statement("calls.lock_if_free", call_id)
        if call_id not in self._uow.read().calls or self._uow.holds_elsewhere(call_id):
            return None
        await self._uow.lock(call_id)
        return self._uow.read().calls[call_id]

    async def insert(self, call: CallRecord) -> bool:
        await self._uow.statement("calls.insert", call.id)
        await self._uow.lock(call.id)
        if call.id in self._uow.read().calls:
            return False
        _check_queue(self._uow.db, call)
        self._uow.write(_put_call(call))
        return True


class FakeEventsRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def find_by_event_id(self, event_id: str) -> StoredEvent | None:
        await self._uow.statement("events.find_by_event_id")
        row = self._uow.read().event_with_id(event_id)
        if row is None:
            return None
        accepted = EventAccepted(event=row.event, call=Call.model_validate(row.call_after))
        return StoredEvent(request_hash=row.request_hash, accepted=accepted)

    async def record(self, recorded: RecordedEvent) -> None:
        call_id = recorded.event.call_id
        await self._uow.statement("events.record", call_id)
        tables = self._uow.read()
        if recorded.event.event_id is not None and tables.event_with_id(recorded.event.event_id):
            raise DuplicateEventId(recorded.event.event_id)
        if call_id not in tables.calls:
            raise LookupError(f"call {call_id} vanished under its lock")
        _check_seq(tables, recorded.event)
        if recorded.call is not None:
            _check_queue(self._uow.db, recorded.call)
        self._uow.write(_record(recorded, self._uow.db.webhook_types))

    async def record_new_call(self, recorded: RecordedEvent) -> bool:
        await self._uow.statement(
            "events.record_new_call", recorded.event.call_id, transactional=False
        )
        return await self._new_calls([recorded]) == {recorded.event.call_id}

    async def record_new_calls(self, batch: list[RecordedEvent]) -> set[str]:
        call_ids = tuple(r.event.call_id for r in batch)
        await self._uow.statement("events.record_new_calls", *call_ids, transactional=False)
        event_ids = [r.event.event_id for r in batch if r.event.event_id is not None]
        if len(event_ids) != len(set(event_ids)):
            return set()  # two calls of the statement share an event_id: nothing written
        return await self._new_calls(batch)

    async def _new_calls(self, batch: list[RecordedEvent]) -> set[str]:
        """Each call all-or-nothing: not written when its id or its event_id is taken."""
        tables = self._uow.read()
        created: list[RecordedEvent] = []
        for recorded in batch:
            call, event = recorded.call, recorded.event
            assert call is not None, "a new call's row travels with its event"
            taken_event = event.event_id is not None and tables.event_with_id(event.event_id)
            if call.id in tables.calls or taken_event or self._uow.holds_elsewhere(call.id):
                continue
            if call.id in {r.event.call_id for r in created}:
                continue
            _check_queue(self._uow.db, call)
            created.append(recorded)
        if not created:
            return set()
        webhook_types = self._uow.db.webhook_types

        def change(tables: Tables) -> None:
            for recorded in created:
                assert recorded.call is not None
                _put_call(recorded.call)(tables)
                _record(replace(recorded, call=None), webhook_types)(tables)

        self._uow.write_standalone(change)
        return {r.event.call_id for r in created}


class FakeQueuesRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def thresholds(self, queue_id: str) -> Thresholds | None:
        await self._uow.statement("queues.thresholds", transactional=False)
        return self._uow.db.queues.get(queue_id)


class FakeOutbox:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def add(
        self, ordering_key: str, kind: str, payload: dict[str, Any], correlation_id: str | None
    ) -> None:
        await self._uow.statement("outbox.add", ordering_key)
        row = OutboxRow(ordering_key, kind, payload, correlation_id)
        self._uow.write(lambda tables: tables.outbox.append(row))


class FakeTimersRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def take_due(self, call_id: str, kind: TimerKind, now: datetime) -> datetime | None:
        await self._uow.statement("timers.take_due", call_id)
        due = self._uow.read().timers.get((call_id, kind))
        if due is None or due > now:
            return None

        def change(tables: Tables) -> None:
            del tables.timers[(call_id, kind)]

        self._uow.write(change)
        return due


class FakeAlertsRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def add(self, alert: Alert) -> None:
        await self._uow.statement("alerts.add", *([alert.call_id] if alert.call_id else []))
        self._uow.write(lambda tables: tables.alerts.append(alert))


class FakeAgentsRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def apply(self, changes: list[AgentChange], call_id: str, at: datetime) -> None:
        for change in sorted(changes, key=lambda c: c.agent_id):
            await self._uow.statement("agents.apply", call_id)
            self._uow.write(_apply_agent(change, call_id, at))


class FakeIntegrationOutbox:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def add(
        self, event_type: str, payload: dict[str, Any], correlation_id: str | None
    ) -> None:
        await self._uow.statement("integrations.add")
        if event_type in self._uow.db.webhook_types:
            row = IntegrationRow(event_type, payload, correlation_id)
            self._uow.write(lambda tables: tables.integration_outbox.append(row))


class FakeClock:
    """A Clock that stands still until the test moves it."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now


def _check_queue(db: FakeDatabase, call: CallRecord) -> None:
    if call.queue_id not in db.queues:
        raise ConstraintViolation(f"calls.queue_id {call.queue_id!r} references no queue")


def _check_seq(tables: Tables, event: CallEvent) -> None:
    if any(e.seq == event.seq for e in tables.events_of(event.call_id)):
        raise ConstraintViolation(f"call {event.call_id} already has an event with seq {event.seq}")


def _put_call(call: CallRecord) -> Change:
    def change(tables: Tables) -> None:
        tables.calls[call.id] = call

    return change


def _record(recorded: RecordedEvent, webhook_types: set[str]) -> Change:
    """The event's statement: call row (if given), audit row, outbox rows, timers."""
    event = recorded.event
    row = EventRow(event, recorded.request_hash, recorded.call_after, recorded.correlation_id)
    realtime = OutboxRow(
        event.call_id, recorded.realtime.kind, recorded.realtime.payload, recorded.correlation_id
    )
    integration = IntegrationRow(
        recorded.integration.kind, recorded.integration.payload, recorded.correlation_id
    )
    subscribed = recorded.integration.kind in webhook_types

    def change(tables: Tables) -> None:
        if recorded.call is not None:
            tables.calls[recorded.call.id] = recorded.call
        tables.events.append(row)
        tables.outbox.append(realtime)
        if subscribed:
            tables.integration_outbox.append(integration)
        _change_timers(tables, event.call_id, recorded.timers)

    return change


def _change_timers(tables: Tables, call_id: str, plan: TimerPlan) -> None:
    for kind in plan.cancel - plan.arm.keys():
        tables.timers.pop((call_id, kind), None)
    for kind, due_at in plan.arm.items():
        tables.timers[(call_id, kind)] = due_at


def _apply_agent(change: AgentChange, call_id: str, at: datetime) -> Change:
    """The delta of agents_repository.APPLY: counters add; `status` takes the agent onto
    this call; `release` frees it only if it still holds this call."""

    def apply(tables: Tables) -> None:
        agent = tables.agents.get(change.agent_id) or AgentRow(
            change.agent_id, AgentStatus.IDLE, None, at
        )
        status, current = agent.status, agent.current_call_id
        if change.status is not None:
            status, current = change.status, call_id
        elif change.release and current == call_id:
            status, current = AgentStatus.IDLE, None
        tables.agents[change.agent_id] = replace(
            agent,
            status=status,
            current_call_id=current,
            updated_at=at,
            offers=agent.offers + change.offers,
            answered=agent.answered + change.answered,
            missed=agent.missed + change.missed,
            wait_total=agent.wait_total + change.wait,
            handled=agent.handled + change.handled,
            handle_total=agent.handle_total + change.handle_time,
            hold_total=agent.hold_total + change.hold,
            short_calls=agent.short_calls + change.short_calls,
        )

    return apply
