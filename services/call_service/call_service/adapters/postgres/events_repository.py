"""The call_events table: the audit log, and the idempotency lookup by event_id."""

from typing import Any

import asyncpg

from call_service.service.errors import DuplicateEventId
from call_service.service.ports import StoredEvent
from contracts.calls import Call, EventAccepted
from contracts.events import CallEvent

EVENT_COLUMNS = "id::text AS id, event_id, call_id, seq, type, occurred_at, received_at, data"

FIND_BY_EVENT_ID = f"""
SELECT {EVENT_COLUMNS}, request_hash, call_after FROM call_events WHERE event_id = $1
"""  # noqa: S608
INSERT_EVENT = """
INSERT INTO call_events (id, event_id, call_id, seq, type, occurred_at, received_at, data,
                         request_hash, call_after, correlation_id)
VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
"""
LIST_FOR_CALL = f"SELECT {EVENT_COLUMNS} FROM call_events WHERE call_id = $1 ORDER BY seq"  # noqa: S608


def event_from_row(row: Any) -> CallEvent:
    return CallEvent(
        id=row["id"],
        event_id=row["event_id"],
        call_id=row["call_id"],
        seq=row["seq"],
        type=row["type"],
        timestamp=row["occurred_at"],
        received_at=row["received_at"],
        data=row["data"],
    )


class PostgresEventsRepository:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def find_by_event_id(self, event_id: str) -> StoredEvent | None:
        row = await self._conn.fetchrow(FIND_BY_EVENT_ID, event_id)
        if row is None:
            return None
        accepted = EventAccepted(
            event=event_from_row(row), call=Call.model_validate(row["call_after"])
        )
        return StoredEvent(request_hash=row["request_hash"], accepted=accepted)

    async def add(
        self,
        event: CallEvent,
        call_after: dict[str, Any],
        request_hash: str | None,
        correlation_id: str | None,
    ) -> None:
        try:
            await self._conn.execute(
                INSERT_EVENT,
                event.id,
                event.event_id,
                event.call_id,
                event.seq,
                event.type.value,
                event.timestamp,
                event.received_at,
                event.data,
                request_hash,
                call_after,
                correlation_id,
            )
        except asyncpg.exceptions.UniqueViolationError as exc:
            if exc.constraint_name == "call_events_event_id_key":
                raise DuplicateEventId(event.event_id) from exc
            raise

    async def list_for_call(self, call_id: str) -> list[CallEvent]:
        return [event_from_row(r) for r in await self._conn.fetch(LIST_FOR_CALL, call_id)]
