"""Use case: a durable timer fell due — write its system event if the call still qualifies.

The call row is locked first (SKIP LOCKED: a busy call is retried on the next
tick) and only then the timer row is taken, the same lock order as the event
transaction. Taking the row deletes it, so of several workers exactly one fires
it; a timer that was cancelled or re-armed meanwhile is simply not due any more.
"""

import uuid

from call_service.domain.call import EventFacts
from call_service.domain.lifecycle import apply_event
from call_service.domain.timers import TimerKind, timer_decision
from call_service.service.ports import Clock, UnitOfWorkFactory
from call_service.service.queue_thresholds import thresholds_of
from call_service.service.recording import EventMeta, record_event
from contracts.calls import EventAccepted


async def fire_timer(
    uow_factory: UnitOfWorkFactory, clock: Clock, call_id: str, kind: TimerKind
) -> EventAccepted | None:
    """The written system event, or None (busy call, timer gone, or call moved on)."""
    now = clock.now()
    async with uow_factory() as uow:
        prior = await uow.calls.lock_if_free(call_id)
        if prior is None:
            return None
        due_at = await uow.timers.take_due(call_id, kind, now)
        if due_at is None:
            return None
        event_type = timer_decision(kind, prior)
        if event_type is None:
            return None
        thresholds = await thresholds_of(uow, prior.queue_id)
        facts = EventFacts(type=event_type, call_id=call_id, timestamp=now)
        after = apply_event(prior, facts, thresholds, now)
        meta = EventMeta(
            data={"timer": kind.value, "due_at": due_at.isoformat()},
            correlation_id=f"timer-{uuid.uuid4().hex}",
        )
        return await record_event(uow, prior, after, facts, thresholds, meta)
