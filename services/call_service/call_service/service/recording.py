"""Record an accepted event and everything it sets in motion, in the caller's transaction.

Shared by producer events (ingest_event) and system events (fire_timer), so both
go through one path: audit log, outbox for the realtime rooms, timers, agents,
supervisor alerts (their own outbox messages), and integration events for webhooks.
The caller has already locked the call and written its new state.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from call_service.domain.call import CallRecord, EventFacts, Thresholds
from call_service.domain.effects import Effects, effects_of
from call_service.service.ports import OutboxMessage, RecordedEvent, UnitOfWork
from call_service.service.views import call_view
from contracts.alerts import Alert
from contracts.calls import EventAccepted
from contracts.events import CallEvent
from contracts.integrations import ALERT, SURVEY_REQUESTED, IntegrationEvent
from contracts.realtime import AlertEnvelope, AlertMessage, CallEventEnvelope, CallEventMessage


@dataclass(frozen=True)
class EventMeta:
    """What the stored event carries besides the domain facts."""

    data: dict[str, Any]
    event_id: str | None = None
    request_hash: str | None = None
    correlation_id: str | None = None
    backfill: bool = False


@dataclass(frozen=True)
class RecordingPlan:
    """Everything an accepted event writes, decided before any I/O."""

    body: EventAccepted
    recorded: RecordedEvent
    effects: Effects

    @property
    def one_statement(self) -> bool:
        """True when the event's own record is all it writes (no agents, alerts, survey)."""
        effects = self.effects
        return not (effects.agents or effects.alerts or effects.survey_requested)


def plan_recording(
    prior: CallRecord | None,
    after: CallRecord,
    facts: EventFacts,
    thresholds: Thresholds,
    meta: EventMeta,
) -> RecordingPlan:
    """The event, its envelopes and its effects; the call row is written with the
    event when it existed before (`prior`), else the caller has inserted it."""
    event = CallEvent(
        id=str(uuid.uuid4()),
        event_id=meta.event_id,
        call_id=after.id,
        seq=after.last_seq,
        type=facts.type,
        timestamp=facts.timestamp,
        received_at=after.updated_at,
        data=meta.data,
    )
    body = EventAccepted(event=event, call=call_view(after))
    envelope = CallEventEnvelope(
        correlation_id=meta.correlation_id,
        queue_ids=_queues_touched(prior, after),
        message=CallEventMessage(event=event, call=body.call),
    )
    integration = IntegrationEvent(
        id=event.id, type=event.type.value, occurred_at=event.timestamp, call=body.call, event=event
    )
    effects = effects_of(prior, after, facts, thresholds, backfill=meta.backfill)
    recorded = RecordedEvent(
        event=event,
        call_after=body.call.model_dump(mode="json"),
        request_hash=meta.request_hash,
        correlation_id=meta.correlation_id,
        realtime=OutboxMessage(envelope.kind, envelope.model_dump(mode="json")),
        integration=OutboxMessage(integration.type, integration.model_dump(mode="json")),
        timers=effects.timers,
        call=after if prior is not None else None,
    )
    return RecordingPlan(body, recorded, effects)


async def record_event(
    uow: UnitOfWork,
    prior: CallRecord | None,
    after: CallRecord,
    facts: EventFacts,
    thresholds: Thresholds,
    meta: EventMeta,
) -> EventAccepted:
    plan = plan_recording(prior, after, facts, thresholds, meta)
    await write_recording(uow, plan, after, facts, meta)
    return plan.body


async def write_recording(
    uow: UnitOfWork, plan: RecordingPlan, after: CallRecord, facts: EventFacts, meta: EventMeta
) -> None:
    await uow.events.record(plan.recorded)
    effects, body, event = plan.effects, plan.body, plan.body.event
    await uow.agents.apply(effects.agents, after.id, after.updated_at)
    for spec in effects.alerts:
        alert = Alert(
            id=str(uuid.uuid4()),
            kind=spec.kind,
            call_id=after.id,
            queue_id=after.queue_id,
            agent_id=spec.agent_id,
            at=facts.timestamp,
            detail=spec.detail,
        )
        await uow.alerts.add(alert)
        message = AlertMessage(**alert.model_dump(exclude={"acknowledged_at", "acknowledged_by"}))
        await _publish(
            uow, after.id, AlertEnvelope(correlation_id=meta.correlation_id, message=message)
        )
        await _integrate(
            uow,
            IntegrationEvent(id=alert.id, type=ALERT, occurred_at=alert.at, alert=message),
            meta.correlation_id,
        )
    if effects.survey_requested:
        survey = IntegrationEvent(
            id=str(uuid.uuid4()),
            type=SURVEY_REQUESTED,
            occurred_at=event.timestamp,
            call=body.call,
            event=event,
        )
        await _integrate(uow, survey, meta.correlation_id)


async def _publish(
    uow: UnitOfWork, call_id: str, envelope: CallEventEnvelope | AlertEnvelope
) -> None:
    await uow.outbox.add(
        call_id, envelope.kind, envelope.model_dump(mode="json"), envelope.correlation_id
    )


async def _integrate(uow: UnitOfWork, event: IntegrationEvent, correlation_id: str | None) -> None:
    await uow.integrations.add(event.type, event.model_dump(mode="json"), correlation_id)


def _queues_touched(prior: CallRecord | None, after: CallRecord) -> list[str]:
    queues = [after.queue_id]
    if prior is not None and prior.queue_id != after.queue_id:
        queues.insert(0, prior.queue_id)
    return queues
