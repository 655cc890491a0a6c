"""The outbox backlog read from PostgreSQL, for GET /api/ops/outbox and the /metrics gauges."""

from typing import Any

from call_service.adapters.postgres.outbox import outbox_status
from contracts.ops import OutboxStatus


class PostgresOutboxStatusReads:
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def outbox_status(self) -> OutboxStatus:
        async with self._pool.acquire() as conn:
            return OutboxStatus.model_validate(await outbox_status(conn))
