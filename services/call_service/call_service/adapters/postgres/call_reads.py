"""Read side: list calls (filters + keyset pagination), one call, one call's events."""

from typing import Any

from call_service.adapters.postgres.calls_repository import CALL_COLUMNS, call_from_row
from call_service.adapters.postgres.events_repository import LIST_FOR_CALL, event_from_row
from call_service.adapters.postgres.sql_filters import BoundFilters
from call_service.service.read_filters import LIVE_STATUSES, CallFilters
from call_service.service.views import call_view
from contracts.calls import Call
from contracts.events import CallEvent

GET_CALL = f"SELECT {CALL_COLUMNS} FROM calls WHERE id = $1"  # noqa: S608
CALL_EXISTS = "SELECT EXISTS (SELECT 1 FROM calls WHERE id = $1)"


class PostgresCallReads:
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def list_calls(self, filters: CallFilters, limit: int) -> list[Call]:
        """Newest start_time first, at most `limit` rows."""
        where = BoundFilters()
        if filters.statuses is not None:
            if filters.statuses == LIVE_STATUSES:
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
            f" ORDER BY start_time DESC, id DESC LIMIT {where.bind(limit)}"
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
