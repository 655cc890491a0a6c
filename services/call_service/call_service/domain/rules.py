"""Flags: the marks each rule leaves on a call, decided from one event.

Each returns the flags the event earns. The timer-driven rules decide *when* a
system event is written (see timers.py); the flag it leaves is set here.
"""

from call_service.domain.call import EventFacts, Thresholds
from contracts.enums import CallFlag, EventType


def flags_earned(facts: EventFacts, thresholds: Thresholds) -> set[CallFlag]:
    flags: set[CallFlag] = set()
    if _waited_past_sla(facts, thresholds):
        flags.add(CallFlag.LONG_WAIT)
    if _held_past_max(facts, thresholds):
        flags.add(CallFlag.HOLD_EXCEEDED)
    if _ended_short(facts, thresholds):
        flags.add(CallFlag.SHORT_CALL_REVIEW)
    if facts.type is EventType.SLA_BREACHED:
        flags.add(CallFlag.SLA_BREACHED)
    if facts.type is EventType.HOLD_EXCEEDED:
        flags.add(CallFlag.HOLD_EXCEEDED)
    return flags


def _waited_past_sla(facts: EventFacts, thresholds: Thresholds) -> bool:
    return (
        facts.type is EventType.CALL_ANSWERED
        and facts.wait_time is not None
        and facts.wait_time > thresholds.sla_seconds
    )


def _held_past_max(facts: EventFacts, thresholds: Thresholds) -> bool:
    return (
        facts.type is EventType.CALL_HOLD
        and facts.hold_duration is not None
        and facts.hold_duration > thresholds.max_hold_seconds
    )


def _ended_short(facts: EventFacts, thresholds: Thresholds) -> bool:
    return (
        facts.type is EventType.CALL_ENDED
        and facts.duration is not None
        and facts.duration < thresholds.short_call_seconds
    )
