"""The webhook worker's ports on PostgreSQL: fan-out and the delivery queue.

The SQL lives in webhook_deliveries.py; these classes take a pooled connection per
call and speak the service's types (service/webhook_ports.py).
"""

import uuid
from typing import Any

from call_service.adapters.postgres import webhook_deliveries as sql
from call_service.service.webhook_ports import (
    AttemptOutcome,
    AttemptStatus,
    ClaimedDelivery,
    DispatchResult,
)


class PostgresIntegrationFanOut:
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def dispatch(self, batch_size: int) -> DispatchResult:
        async with self._pool.acquire() as conn:
            return await sql.dispatch(conn, batch_size)

    async def purge_dispatched(self, retention_s: float) -> int:
        async with self._pool.acquire() as conn:
            return await sql.purge_dispatched(conn, retention_s)


class PostgresDeliveryQueue:
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def claim(
        self,
        free_slots: dict[uuid.UUID, int],
        slots_per_webhook: int,
        limit: int,
        lease_s: float,
    ) -> list[ClaimedDelivery]:
        async with self._pool.acquire() as conn:
            return await sql.claim(conn, free_slots, slots_per_webhook, limit, lease_s)

    async def record_attempt(
        self, delivery_id: uuid.UUID, outcome: AttemptOutcome, status: AttemptStatus
    ) -> None:
        async with self._pool.acquire() as conn:
            await sql.record_attempt(conn, delivery_id, outcome, status)

    async def release(self, delivery_ids: list[uuid.UUID]) -> None:
        async with self._pool.acquire() as conn:
            await sql.release(conn, delivery_ids)
