"""Durable business-rule timers: which event arms or cancels which timer, and what a
due timer does.

The worker re-checks the call when a timer falls due, because the call may have
moved on (answered, resumed, ended) in a transaction that raced the timer: a
timer whose condition no longer holds does nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from call_service.domain.call import CallRecord, EventFacts, Thresholds
from call_service.domain.state_machine import is_allowed
from contracts.enums import EventType

E = EventType


class TimerKind(StrEnum):
    SLA = "sla"
    NO_ANSWER = "no_answer"
    MAX_HOLD = "max_hold"


ALL_TIMERS = frozenset(TimerKind)


@dataclass(frozen=True)
class TimerPlan:
    arm: dict[TimerKind, datetime] = field(default_factory=dict)
    """Timers to (re)arm with their due time; arming replaces an armed one."""
    cancel: frozenset[TimerKind] = frozenset()


def timer_plan(facts: EventFacts, thresholds: Thresholds) -> TimerPlan:
    """What `facts` does to the call's timers. Due times count from the event's time."""
    at = facts.timestamp

    def after(seconds: float) -> datetime:
        return at + timedelta(seconds=seconds)

    match facts.type:
        case E.CALL_INITIATED:
            return TimerPlan(arm={TimerKind.SLA: after(thresholds.sla_seconds)})
        case E.CALL_ROUTED:
            return TimerPlan(arm={TimerKind.NO_ANSWER: after(thresholds.no_answer_seconds)})
        case E.CALL_ANSWERED:
            return TimerPlan(cancel=frozenset({TimerKind.SLA, TimerKind.NO_ANSWER}))
        case E.CALL_HOLD:
            return TimerPlan(arm={TimerKind.MAX_HOLD: after(thresholds.max_hold_seconds)})
        case E.CALL_RESUMED:
            return TimerPlan(cancel=frozenset({TimerKind.MAX_HOLD}))
        case E.CALL_TRANSFERRED if facts.to_queue_id is not None:
            # A new wait in the new queue: its SLA clock starts now.
            return TimerPlan(
                arm={TimerKind.SLA: after(thresholds.sla_seconds)},
                cancel=frozenset({TimerKind.NO_ANSWER, TimerKind.MAX_HOLD}),
            )
        case E.CALL_TRANSFERRED:
            return TimerPlan(
                arm={TimerKind.NO_ANSWER: after(thresholds.no_answer_seconds)},
                cancel=frozenset({TimerKind.MAX_HOLD}),
            )
        case E.CALL_ENDED:
            return TimerPlan(cancel=ALL_TIMERS)
        case _:
            # sla_breached, hold_exceeded, call_retransfer: the timer that fired is
            # consumed; a retransfer restarts nothing (the SLA clock keeps running).
            return TimerPlan()


FIRES: dict[TimerKind, EventType] = {
    TimerKind.SLA: E.SLA_BREACHED,
    TimerKind.NO_ANSWER: E.CALL_RETRANSFER,
    TimerKind.MAX_HOLD: E.HOLD_EXCEEDED,
}
"""The system event each timer writes when it falls due."""


def timer_decision(kind: TimerKind, call: CallRecord | None) -> EventType | None:
    """The system event a due timer writes, or None when the call has moved on: the
    state machine's table says from which statuses that event may apply."""
    event_type = FIRES[kind]
    if call is None or not is_allowed(event_type, call.status):
        return None
    return event_type
