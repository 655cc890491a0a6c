"""Closed vocabularies shared by the services, the domain and the dashboard."""

from enum import StrEnum


class CallStatus(StrEnum):
    WAITING = "waiting"
    ROUTED = "routed"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    ENDED = "ended"


class EventType(StrEnum):
    # Sent by producers.
    CALL_INITIATED = "call_initiated"
    CALL_ROUTED = "call_routed"
    CALL_ANSWERED = "call_answered"
    CALL_HOLD = "call_hold"
    CALL_RESUMED = "call_resumed"
    CALL_TRANSFERRED = "call_transferred"
    CALL_ENDED = "call_ended"
    # Written by the service's own timers; a producer posting one gets 422.
    SLA_BREACHED = "sla_breached"
    CALL_RETRANSFER = "call_retransfer"
    HOLD_EXCEEDED = "hold_exceeded"


PRODUCER_EVENT_TYPES = frozenset(
    {
        EventType.CALL_INITIATED,
        EventType.CALL_ROUTED,
        EventType.CALL_ANSWERED,
        EventType.CALL_HOLD,
        EventType.CALL_RESUMED,
        EventType.CALL_TRANSFERRED,
        EventType.CALL_ENDED,
    }
)
SYSTEM_EVENT_TYPES = frozenset(set(EventType) - PRODUCER_EVENT_TYPES)


class Media(StrEnum):
    VOICE = "voice"
    VIDEO = "video"


class EndReason(StrEnum):
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    FAILED = "failed"


class CallFlag(StrEnum):
    """Marks a rule left on a call; each flag is set by exactly one rule."""

    LONG_WAIT = "long_wait"
    HOLD_EXCEEDED = "hold_exceeded"
    SHORT_CALL_REVIEW = "short_call_review"
    SLA_BREACHED = "sla_breached"


class AlertKind(StrEnum):
    """Supervisor alerts: one per rule that fires."""

    LONG_WAIT = "long_wait"
    SLA_BREACHED = "sla_breached"
    NO_ANSWER_REROUTE = "no_answer_reroute"
    HOLD_EXCEEDED = "hold_exceeded"
    SHORT_CALL_REVIEW = "short_call_review"


class AgentStatus(StrEnum):
    IDLE = "idle"
    OFFERED = "offered"
    ON_CALL = "on_call"


class Scope(StrEnum):
    EVENTS_WRITE = "events:write"
    CALLS_READ = "calls:read"
    ALERTS_ACK = "alerts:ack"
    ADMIN = "admin"
