"""Use case: accept one producer event.

In one transaction: lock (or create) the call, answer an idempotent replay,
apply the domain, update the call, and record the event with everything it sets
in motion (see recording.py).
"""

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from call_service.domain.call import CallRecord, EventFacts, Thresholds
from call_service.domain.errors import CallAlreadyExists, CallNotFound
from call_service.domain.lifecycle import apply_event
from call_service.service.errors import (
    DuplicateEventId,
    IdempotencyConflict,
    TimestampInFuture,
    UnknownQueue,
)
from call_service.service.ports import Clock, UnitOfWork, UnitOfWorkFactory
from call_service.service.queue_thresholds import thresholds_of
from call_service.service.recording import (
    EventMeta,
    RecordingPlan,
    plan_recording,
    write_recording,
)
from contracts.calls import EventAccepted
from contracts.enums import EventType
from contracts.events import EventRequest


@dataclass(frozen=True)
class IngestResult:
    created: bool
    """False when this was a replay of an already accepted event (nothing written)."""
    body: EventAccepted


@dataclass(frozen=True)
class IngestOptions:
    correlation_id: str | None = None
    backfill: bool = False
    """History import: rules that need no timer apply; no timer, no supervisor alert."""
    max_future_skew_s: float = 300.0
    """How far ahead of the clock a `timestamp` may be (backfill included): a call dated in
    the future would top every list and arm timers that fire only then."""


async def ingest_event(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    request: EventRequest,
    options: IngestOptions = IngestOptions(),
) -> IngestResult:
    try:
        return await _ingest_once(uow_factory(), clock, request, options)
    except DuplicateEventId:
        # A concurrent request with the same event_id committed first; now the
        # lookup sees it and answers replay or conflict.
        return await _ingest_once(uow_factory(), clock, request, options)


def request_fingerprint(request: EventRequest) -> str:
    """Hash of the request as sent, less its event_id: "same content" for idempotency."""
    content = request.model_dump(mode="json", exclude={"event_id"})
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Prepared:
    """An event's facts and stored metadata, computed once before any I/O."""

    now: datetime
    facts: EventFacts
    meta: EventMeta
    fingerprint: str


def prepare(clock: Clock, request: EventRequest, options: IngestOptions) -> Prepared:
    now = clock.now()
    if request.timestamp is not None and (
        (request.timestamp - now).total_seconds() > options.max_future_skew_s
    ):
        raise TimestampInFuture(options.max_future_skew_s)
    facts = EventFacts(
        type=request.type,
        call_id=request.call_id,
        timestamp=request.timestamp.astimezone(UTC) if request.timestamp else now,
        **request.data.model_dump(),
    )
    fingerprint = request_fingerprint(request)
    meta = EventMeta(
        data=request.data.model_dump(mode="json", exclude_none=True),
        event_id=request.event_id,
        request_hash=fingerprint if request.event_id is not None else None,
        correlation_id=options.correlation_id,
        backfill=options.backfill,
    )
    return Prepared(now, facts, meta, fingerprint)


async def plan_new_call(uow: UnitOfWork, prepared: Prepared) -> tuple[CallRecord, RecordingPlan]:
    """The new call and everything its first event writes; 422 if its queue is unknown."""
    facts = prepared.facts
    thresholds = await _queue(uow, facts.queue_id, "queue_id")
    after = apply_event(None, facts, thresholds, prepared.now)
    return after, plan_recording(None, after, facts, thresholds, prepared.meta)


async def _ingest_once(
    uow: UnitOfWork, clock: Clock, request: EventRequest, options: IngestOptions
) -> IngestResult:
    prepared = prepare(clock, request, options)
    now, facts, meta, fingerprint = (
        prepared.now,
        prepared.facts,
        prepared.meta,
        prepared.fingerprint,
    )
    async with uow:
        if request.type is EventType.CALL_INITIATED:
            prior = None
            after, plan = await plan_new_call(uow, prepared)
            # The common case in one statement; a taken call id or event_id writes
            # nothing and goes the general way below (replay, 409 or conflict).
            if plan.one_statement and await uow.events.record_new_call(
                replace(plan.recorded, call=after)
            ):
                return IngestResult(created=True, body=plan.body)
            if not await uow.calls.insert(after):
                await uow.calls.lock(request.call_id)
                replay = await _replay(uow, request, fingerprint)
                if replay is not None:
                    return replay
                raise CallAlreadyExists(request.call_id)
            if request.event_id is not None and await uow.events.find_by_event_id(request.event_id):
                raise IdempotencyConflict(request.event_id)
        else:
            prior = await uow.calls.lock(request.call_id)
            replay = await _replay(uow, request, fingerprint)
            if replay is not None:
                return replay
            if prior is None:
                raise CallNotFound(request.call_id)
            if facts.to_queue_id is not None:
                thresholds = await _queue(uow, facts.to_queue_id, "to_queue_id")
            else:
                thresholds = await thresholds_of(uow, prior.queue_id)
            after = apply_event(prior, facts, thresholds, now)
            plan = plan_recording(prior, after, facts, thresholds, meta)
        await write_recording(uow, plan, after, facts, meta)
    return IngestResult(created=True, body=plan.body)


async def _replay(uow: UnitOfWork, request: EventRequest, fingerprint: str) -> IngestResult | None:
    if request.event_id is None:
        return None
    stored = await uow.events.find_by_event_id(request.event_id)
    if stored is None:
        return None
    if stored.request_hash != fingerprint:
        raise IdempotencyConflict(request.event_id)
    return IngestResult(created=False, body=stored.accepted)


async def _queue(uow: UnitOfWork, queue_id: str | None, field: str) -> Thresholds:
    """Thresholds of a queue the producer named; 422 at `data.<field>` if unknown."""
    assert queue_id is not None, "validated by the request model"
    found = await uow.queues.thresholds(queue_id)
    if found is None:
        raise UnknownQueue(queue_id, ("data", field))
    return found
