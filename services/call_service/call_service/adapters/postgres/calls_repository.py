"""Calls table: lock, insert, and the row ↔ CallRecord mapping (updates ride along with
the event, events_repository.RECORD_EVENT_UPDATING_CALL)."""

from typing import Any

from call_service.domain.call import CallRecord
from contracts.enums import CallFlag, CallStatus, EndReason, Media

CALL_COLUMNS = (
    "id, status, queue_id, media, agent_id, start_time, answered_at, end_time,"
    " end_reason, wait_time, duration, flags, last_seq, updated_at,"
    " hold_started_at, hold_total, transfer_count"
)

LOCK_CALL = f"SELECT {CALL_COLUMNS} FROM calls WHERE id = $1 FOR UPDATE"  # noqa: S608
LOCK_CALL_IF_FREE = f"{LOCK_CALL} SKIP LOCKED"
INSERT_CALL = f"""
INSERT INTO calls ({CALL_COLUMNS})
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
ON CONFLICT (id) DO NOTHING
RETURNING id
"""  # noqa: S608


def call_from_row(row: Any) -> CallRecord:
    return CallRecord(
        id=row["id"],
        status=CallStatus(row["status"]),
        queue_id=row["queue_id"],
        media=Media(row["media"]),
        agent_id=row["agent_id"],
        start_time=row["start_time"],
        answered_at=row["answered_at"],
        end_time=row["end_time"],
        end_reason=EndReason(row["end_reason"]) if row["end_reason"] else None,
        wait_time=row["wait_time"],
        duration=row["duration"],
        flags=tuple(CallFlag(f) for f in row["flags"]),
        last_seq=row["last_seq"],
        updated_at=row["updated_at"],
        hold_started_at=row["hold_started_at"],
        hold_total=row["hold_total"],
        transfer_count=row["transfer_count"],
    )


def call_values(call: CallRecord) -> tuple[Any, ...]:
    return (
        call.id,
        call.status.value,
        call.queue_id,
        call.media.value,
        call.agent_id,
        call.start_time,
        call.answered_at,
        call.end_time,
        call.end_reason.value if call.end_reason else None,
        call.wait_time,
        call.duration,
        [f.value for f in call.flags],
        call.last_seq,
        call.updated_at,
        call.hold_started_at,
        call.hold_total,
        call.transfer_count,
    )


class PostgresCallsRepository:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def lock(self, call_id: str) -> CallRecord | None:
        row = await self._conn.fetchrow(LOCK_CALL, call_id)
        return call_from_row(row) if row else None

    async def lock_if_free(self, call_id: str) -> CallRecord | None:
        """Like `lock`, but None at once when another transaction holds the call."""
        row = await self._conn.fetchrow(LOCK_CALL_IF_FREE, call_id)
        return call_from_row(row) if row else None

    async def insert(self, call: CallRecord) -> bool:
        return await self._conn.fetchval(INSERT_CALL, *call_values(call)) is not None
