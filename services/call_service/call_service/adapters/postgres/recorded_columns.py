"""The values an event's record binds, in the order both record statements expect them
(events_repository.RECORD_EVENT… one call, new_calls_bulk.RECORD_NEW_CALLS many)."""

from typing import Any

from call_service.service.ports import RecordedEvent


def recorded_values(recorded: RecordedEvent) -> list[Any]:
    """From the event's type to the integration payload (ids and seq come first, apart)."""
    event = recorded.event
    return [
        event.type.value,
        event.timestamp,
        event.received_at,
        event.data,
        recorded.request_hash,
        recorded.call_after,
        recorded.correlation_id,
        recorded.realtime.kind,
        recorded.realtime.payload,
        recorded.integration.kind,
        recorded.integration.payload,
    ]
