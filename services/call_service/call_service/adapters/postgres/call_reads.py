"""Read side: list calls (filters + keyset pagination), one call, one call's events."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from call_service.adapters.postgres.calls_repository import CALL_COLUMNS, call_from_row
from call_service.adapters.postgres.events_repository import LIST_FOR_CALL, event_from_row
from call_service.service.views import call_view
from contracts.calls import Call
from contracts.enums import CallFlag, CallStatus
from contracts.events import CallEvent

GET_CALL = f"SELECT {CALL_COLUMNS} FROM calls WHERE id = $1"  # noqa: S608
CALL_EXISTS = "SELECT EXISTS (SELECT 1 FROM calls WHERE id = $1)"


@dataclass(frozen=True)
class CallFilters:
    statuses: frozenset[CallStatus] | None = None
    queue_id: str | None = None
    agent_id: str | None = None
    flag: CallFlag | None = None
    after: tuple[datetime, str] | None = None
    """Keyset position: return calls strictly after (start_time, id) in newest-first order."""
    limit: int = 50


class PostgresCallReads:
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def list_calls(self, filters: CallFilters) -> list[Call]:
        """Newest start_time first; fetch `limit` rows (the caller asks one extra to page)."""
        where: list[str] = []
        args: list[Any] = []

        def bind(value: Any) -> str:
            args.append(value)
            return f"${len(args)}"

        if filters.statuses is not None:
            if filters.statuses == frozenset(CallStatus) - {CallStatus.ENDED}:
                where.append("status <> 'ended'")  # matches the partial "live" index
            else:
                where.append(f"status = ANY({bind(sorted(filters.statuses))}::text[])")
        if filters.queue_id is not None:
            where.append(f"queue_id = {bind(filters.queue_id)}")
        if filters.agent_id is not None:
            where.append(f"agent_id = {bind(filters.agent_id)}")
        if filters.flag is not None:
            where.append(f"flags @> ARRAY[{bind(filters.flag.value)}]::text[]")
        if filters.after is not None:
            start_time, call_id = filters.after
            where.append(f"(start_time, id) < ({bind(start_time)}, {bind(call_id)})")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        sql = (
            f"SELECT {CALL_COLUMNS} FROM calls {clause}"  # noqa: S608 - only bound values
            f" ORDER BY start_time DESC, id DESC LIMIT {bind(filters.limit)}"
        )
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(sql, *args)
        return [call_view(call_from_row(r)) for r in rows]

    async def get_call(self, call_id: str) -> Call | None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(GET_CALL, call_id)
        return call_view(call_from_row(row)) if row else None

    async def list_events(self, call_id: str) -> list[CallEvent] | None:
        """The audit log in seq order, or None when the call does not exist."""
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            if not await conn.fetchval(CALL_EXISTS, call_id):
                return None
            rows = await conn.fetch(LIST_FOR_CALL, call_id)
        return [event_from_row(r) for r in rows]
