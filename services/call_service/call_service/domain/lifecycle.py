"""Apply one event to a call: the state machine, the field updates and the flags.

Pure: the caller passes the current call (None for a new one), the event's
facts, the thresholds of the call's queue and `now` (the time of receipt).
"""

from dataclasses import replace
from datetime import datetime

from call_service.domain import state_machine
from call_service.domain.call import CallRecord, EventFacts, Thresholds
from call_service.domain.errors import CallAlreadyExists, CallNotFound, TransitionNotAllowed
from call_service.domain.rules import flags_earned
from contracts.enums import CallStatus, EventType


def apply_event(
    call: CallRecord | None, facts: EventFacts, thresholds: Thresholds, now: datetime
) -> CallRecord:
    if facts.type is EventType.CALL_INITIATED:
        if call is not None:
            raise CallAlreadyExists(facts.call_id)
        return _with_flags(_initiated(facts, now), facts, thresholds)
    if call is None:
        raise CallNotFound(facts.call_id)
    if not state_machine.is_allowed(facts.type, call.status):
        raise TransitionNotAllowed(facts.type, call.status)
    to_queue = facts.to_queue_id is not None
    moved = replace(
        _updated_fields(_hold_clock(call, facts), facts),
        status=state_machine.target_status(facts.type, call.status, to_queue=to_queue),
        last_seq=call.last_seq + 1,
        updated_at=now,
    )
    return _with_flags(moved, facts, thresholds)


def _initiated(facts: EventFacts, now: datetime) -> CallRecord:
    if facts.media is None or facts.queue_id is None:
        raise ValueError("call_initiated needs media and queue_id")
    return CallRecord(
        id=facts.call_id,
        status=CallStatus.WAITING,
        queue_id=facts.queue_id,
        media=facts.media,
        start_time=facts.timestamp,
        updated_at=now,
        last_seq=1,
    )


def _updated_fields(call: CallRecord, facts: EventFacts) -> CallRecord:
    match facts.type:
        case EventType.CALL_ROUTED:
            return replace(call, agent_id=facts.agent_id)
        case EventType.CALL_ANSWERED if call.answered_at is None:
            return replace(call, answered_at=facts.timestamp, wait_time=facts.wait_time)
        case EventType.CALL_TRANSFERRED if facts.to_queue_id is not None:
            return replace(
                call,
                queue_id=facts.to_queue_id,
                agent_id=None,
                transfer_count=call.transfer_count + 1,
            )
        case EventType.CALL_TRANSFERRED:
            return replace(call, agent_id=facts.to_agent_id, transfer_count=call.transfer_count + 1)
        case EventType.CALL_RETRANSFER:
            return replace(call, agent_id=None)
        case EventType.CALL_ENDED:
            return replace(
                call,
                end_time=facts.timestamp,
                end_reason=facts.end_reason,
                duration=facts.duration,
            )
        case _:
            return call


def _hold_clock(call: CallRecord, facts: EventFacts) -> CallRecord:
    """Start the hold clock on call_hold; add the hold to the total when it ends."""
    if facts.type is EventType.CALL_HOLD:
        return replace(call, hold_started_at=facts.timestamp)
    if call.hold_started_at is not None and facts.type in _HOLD_ENDERS:
        held = max(0.0, (facts.timestamp - call.hold_started_at).total_seconds())
        return replace(call, hold_started_at=None, hold_total=call.hold_total + held)
    return call


_HOLD_ENDERS = frozenset({EventType.CALL_RESUMED, EventType.CALL_TRANSFERRED, EventType.CALL_ENDED})


def _with_flags(call: CallRecord, facts: EventFacts, thresholds: Thresholds) -> CallRecord:
    earned = flags_earned(facts, thresholds) - set(call.flags)
    if not earned:
        return call
    return replace(call, flags=call.flags + tuple(sorted(earned)))
