"""Use case: accept one producer event.

In one transaction: lock (or create) the call, answer an idempotent replay,
apply the domain, append the event to the audit log, update the call, and
queue the realtime message in the outbox.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC

from call_service.domain.call import CallRecord, EventFacts, Thresholds
from call_service.domain.errors import CallAlreadyExists, CallNotFound
from call_service.domain.lifecycle import apply_event
from call_service.service.errors import DuplicateEventId, IdempotencyConflict, UnknownQueue
from call_service.service.ports import Clock, UnitOfWork, UnitOfWorkFactory
from call_service.service.views import call_view
from contracts.calls import EventAccepted
from contracts.enums import EventType
from contracts.events import CallEvent, EventRequest
from contracts.realtime import CallEventEnvelope, CallEventMessage


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


async def _ingest_once(
    uow: UnitOfWork, clock: Clock, request: EventRequest, options: IngestOptions
) -> IngestResult:
    now = clock.now()
    facts = EventFacts(
        type=request.type,
        call_id=request.call_id,
        timestamp=request.timestamp.astimezone(UTC) if request.timestamp else now,
        **request.data.model_dump(),
    )
    fingerprint = request_fingerprint(request)
    async with uow:
        if request.type is EventType.CALL_INITIATED:
            prior = None
            after = apply_event(
                None, facts, await _thresholds(uow, facts.queue_id, "queue_id"), now
            )
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
                await _thresholds(uow, facts.to_queue_id, "to_queue_id")
            after = apply_event(prior, facts, await _thresholds(uow, prior.queue_id, ""), now)
            await uow.calls.update(after)
        body = _accepted(request, facts, after, now)
        await uow.events.add(
            body.event,
            body.call.model_dump(mode="json"),
            fingerprint if request.event_id is not None else None,
            options.correlation_id,
        )
        envelope = CallEventEnvelope(
            correlation_id=options.correlation_id,
            queue_ids=_queues_touched(prior, after),
            message=CallEventMessage(event=body.event, call=body.call),
        )
        await uow.outbox.add(
            after.id, envelope.kind, envelope.model_dump(mode="json"), options.correlation_id
        )
    return IngestResult(created=True, body=body)


async def _replay(uow: UnitOfWork, request: EventRequest, fingerprint: str) -> IngestResult | None:
    if request.event_id is None:
        return None
    stored = await uow.events.find_by_event_id(request.event_id)
    if stored is None:
        return None
    if stored.request_hash != fingerprint:
        raise IdempotencyConflict(request.event_id)
    return IngestResult(created=False, body=stored.accepted)


async def _thresholds(uow: UnitOfWork, queue_id: str | None, field: str) -> Thresholds:
    assert queue_id is not None, "validated by the request model"
    found = await uow.queues.thresholds(queue_id)
    if found is None:
        raise UnknownQueue(queue_id, ("data", field))
    return found


def _accepted(
    request: EventRequest, facts: EventFacts, after: CallRecord, now: object
) -> EventAccepted:
    event = CallEvent(
        id=str(uuid.uuid4()),
        event_id=request.event_id,
        call_id=request.call_id,
        seq=after.last_seq,
        type=request.type,
        timestamp=facts.timestamp,
        received_at=after.updated_at,
        data=request.data.model_dump(mode="json", exclude_none=True),
    )
    return EventAccepted(event=event, call=call_view(after))


def _queues_touched(prior: CallRecord | None, after: CallRecord) -> list[str]:
    queues = [after.queue_id]
    if prior is not None and prior.queue_id != after.queue_id:
        queues.insert(0, prior.queue_id)
    return queues
