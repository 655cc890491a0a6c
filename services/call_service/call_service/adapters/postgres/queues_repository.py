"""The queues table: thresholds per queue, and the seed of the default queues."""

from typing import Any

from call_service.adapters.postgres.lazy_transaction import LazyTransaction
from call_service.adapters.thresholds_cache import ThresholdsCache
from call_service.domain.call import Thresholds

THRESHOLDS = """
SELECT sla_seconds, no_answer_seconds, max_hold_seconds, short_call_seconds
FROM queues WHERE id = $1
"""
SEED_QUEUE = """
INSERT INTO queues (id, name, sla_seconds, no_answer_seconds, max_hold_seconds, short_call_seconds)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO NOTHING
"""

DEFAULT_QUEUES = {
    "medical_spanish": "Medical interpreting — Spanish",
    "medical_english": "Medical interpreting — English",
    "legal_spanish": "Legal interpreting — Spanish",
    "legal_english": "Legal interpreting — English",
}


class PostgresQueuesRepository:
    def __init__(self, conn: LazyTransaction, cache: ThresholdsCache) -> None:
        self._conn = conn
        self._cache = cache

    async def thresholds(self, queue_id: str) -> Thresholds | None:
        cached = self._cache.get(queue_id)
        if cached is not None:
            return cached
        row = await self._conn.fetchrow_untransacted(THRESHOLDS, queue_id)
        if row is None:
            return None
        found = Thresholds(**dict(row))
        self._cache.put(queue_id, found)
        return found


async def seed_default_queues(conn: Any, defaults: Thresholds) -> None:
    """Create the four default queues if missing; existing ones keep their settings."""
    for queue_id, name in DEFAULT_QUEUES.items():
        await conn.execute(
            SEED_QUEUE,
            queue_id,
            name,
            defaults.sla_seconds,
            defaults.no_answer_seconds,
            defaults.max_hold_seconds,
            defaults.short_call_seconds,
        )
