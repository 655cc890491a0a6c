"""The domain's view of a call, of an event's facts, and of a queue's thresholds."""

from dataclasses import dataclass
from datetime import datetime

from contracts.enums import CallFlag, CallStatus, EndReason, EventType, Media


@dataclass(frozen=True)
class Thresholds:
    """A queue's rule limits, in seconds."""

    sla_seconds: float
    no_answer_seconds: float
    max_hold_seconds: float
    short_call_seconds: float


DEFAULT_THRESHOLDS = Thresholds(
    sla_seconds=30, no_answer_seconds=15, max_hold_seconds=60, short_call_seconds=10
)
"""What a queue starts with when nothing else is said (SLA_SECONDS, … override each)."""


@dataclass(frozen=True)
class EventFacts:
    """What an event says, flattened: each field is set only by the types that carry it."""

    type: EventType
    call_id: str
    timestamp: datetime
    media: Media | None = None
    queue_id: str | None = None
    agent_id: str | None = None
    routing_time: float | None = None
    wait_time: float | None = None
    hold_duration: float | None = None
    to_agent_id: str | None = None
    to_queue_id: str | None = None
    end_reason: EndReason | None = None
    duration: float | None = None


@dataclass(frozen=True)
class CallRecord:
    id: str
    status: CallStatus
    queue_id: str
    media: Media
    start_time: datetime
    updated_at: datetime
    last_seq: int
    agent_id: str | None = None
    answered_at: datetime | None = None
    end_time: datetime | None = None
    end_reason: EndReason | None = None
    wait_time: float | None = None
    duration: float | None = None
    flags: tuple[CallFlag, ...] = ()
    hold_started_at: datetime | None = None
    hold_total: float = 0.0
    """Seconds of holds that have ended (resumed, transferred or ended while on hold)."""
    transfer_count: int = 0
