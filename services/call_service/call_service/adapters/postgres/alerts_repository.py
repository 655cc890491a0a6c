"""alerts: written in the event transaction; listed and acknowledged by supervisors."""

from datetime import datetime
from typing import Any

from call_service.adapters.postgres.sql_filters import BoundFilters
from call_service.service.read_filters import AlertFilters
from contracts.alerts import Alert

INSERT = """
INSERT INTO alerts (id, kind, call_id, queue_id, agent_id, at, detail)
VALUES ($1::uuid, $2, $3, $4, $5, $6, $7)
"""
COLUMNS = (
    "id::text AS id, kind, call_id, queue_id, agent_id, at, detail,"
    " acknowledged_at, acknowledged_by"
)
ACK = f"""
UPDATE alerts SET acknowledged_at = coalesce(acknowledged_at, $2),
                  acknowledged_by = coalesce(acknowledged_by, $3)
WHERE id = $1::uuid
RETURNING {COLUMNS}
"""  # noqa: S608


def alert_from_row(row: Any) -> Alert:
    return Alert(**dict(row))


class PostgresAlertsRepository:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def add(self, alert: Alert) -> None:
        await self._conn.execute(
            INSERT,
            alert.id,
            alert.kind.value,
            alert.call_id,
            alert.queue_id,
            alert.agent_id,
            alert.at,
            alert.detail,
        )


class PostgresAlertReads:
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def list_alerts(self, filters: AlertFilters, limit: int) -> list[Alert]:
        """Newest first, at most `limit`; keyset on (at, id)."""
        where = BoundFilters()
        if filters.kind is not None:
            where.add(f"kind = {where.bind(filters.kind.value)}")
        if filters.queue_id is not None:
            where.add(f"queue_id = {where.bind(filters.queue_id)}")
        if filters.call_id is not None:
            where.add(f"call_id = {where.bind(filters.call_id)}")
        if filters.acknowledged is not None:
            where.add(
                "acknowledged_at IS NOT NULL" if filters.acknowledged else "acknowledged_at IS NULL"
            )
        if filters.since is not None:
            where.add(f"at >= {where.bind(filters.since)}")
        if filters.until is not None:
            where.add(f"at < {where.bind(filters.until)}")
        if filters.after is not None:
            at, alert_id = filters.after
            where.add(f"(at, id) < ({where.bind(at)}, {where.bind(alert_id)}::uuid)")
        clause = where.where_clause()
        sql = (
            f"SELECT {COLUMNS} FROM alerts {clause}"  # noqa: S608 - only bound values
            f" ORDER BY at DESC, id DESC LIMIT {where.bind(limit)}"
        )
        async with self._pool.acquire() as conn:
            return [alert_from_row(r) for r in await conn.fetch(sql, *where.args)]

    async def acknowledge(self, alert_id: str, at: datetime, by: str) -> Alert | None:
        """Idempotent: the first acknowledgement's time and author are kept."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(ACK, alert_id, at, by)
        return alert_from_row(row) if row else None
