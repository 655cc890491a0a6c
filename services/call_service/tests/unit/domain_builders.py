"""Small builders for domain tests: a call in a given status, an event's facts."""

from datetime import UTC, datetime, timedelta
from typing import Any

from call_service.domain.call import CallRecord, EventFacts, Thresholds
from contracts.enums import CallStatus, EventType, Media

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
LIMITS = Thresholds(
    sla_seconds=30, no_answer_seconds=15, max_hold_seconds=60, short_call_seconds=10
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def a_call(status: CallStatus, **fields: Any) -> CallRecord:
    values: dict[str, Any] = {
        "id": "c1",
        "status": status,
        "queue_id": "medical_spanish",
        "media": Media.VOICE,
        "start_time": T0,
        "updated_at": T0,
        "last_seq": 3,
        "agent_id": "agent-1",
    }
    values.update(fields)
    return CallRecord(**values)


def facts(event_type: EventType, timestamp: datetime = T0, **fields: Any) -> EventFacts:
    return EventFacts(type=event_type, call_id="c1", timestamp=timestamp, **fields)
