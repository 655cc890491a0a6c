"""Read side: list calls (filters + keyset pagination), one call, one call's events."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from call_service.adapters.postgres.calls_repository import CALL_COLUMNS, call_from_row
from call_service.adapters.postgres.events_repository import LIST_FOR_CALL, event_from_row
from call_service.adapters.postgres.sql_filters import BoundFilters
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
        where = BoundFilters()
        if filters.statuses is not None:
            if filters.statuses == frozenset(CallStatus) - {CallStatus.ENDED}:
                where.add("status <> 'ended'")  # matches the partial "live" index
            else:
                where.add(f"status = ANY({where.bind(sorted(filters.statuses))}::text[])")
        if filters.queue_id is not None:
            where.add(f"queue_id = {where.bind(filters.queue_id)}")
        if filters.agent_id is not None:
            where.add(f"agent_id = {where.bind(filters.agent_id)}")
        if filters.flag is not None:
            where.add(f"flags @> ARRAY[{where.bind(filters.flag.value)}]::text[]")
        if filters.after is not None:
            start_time, call_id = filters.after
            where.add(f"(start_time, id) < ({where.bind(start_time)}, {where.bind(call_id)})")
        clause = where.where_clause()
        sql = (
            f"SELECT {CALL_COLUMNS} FROM calls {clause}"  # noqa: S608 - only bound values
            f" ORDER BY start_time DESC, id DESC LIMIT {where.bind(filters.limit)}"
        )
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(sql, *where.args)
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
