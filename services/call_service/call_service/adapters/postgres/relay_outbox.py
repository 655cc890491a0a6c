"""The outbox as the relay's `RelayOutbox` port: a claim is one pooled transaction."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from call_service.adapters.postgres.outbox import (
    claim,
    mark_failed,
    mark_published,
    purge_published,
)
from call_service.service.relay_ports import ClaimedOutboxRow


class ClaimedBatch:
    """The rows of one claim, and their marks on the claim's connection."""

    def __init__(self, conn: Any, rows: list[ClaimedOutboxRow]) -> None:
        self._conn = conn
        self._rows = rows

    @property
    def rows(self) -> list[ClaimedOutboxRow]:
        return self._rows

    async def mark_published(self, ids: list[int]) -> None:
        await mark_published(self._conn, ids)

    async def mark_failed(
        self, ids: list[int], error: str, base_backoff_s: float, max_backoff_s: float
    ) -> None:
        await mark_failed(self._conn, ids, error, base_backoff_s, max_backoff_s)


class PostgresRelayOutbox:
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    @asynccontextmanager
    async def claim(self, heads: int, limit: int) -> AsyncIterator[ClaimedBatch]:
        """The row locks last until the block ends: its marks commit with them."""
        async with self._pool.acquire() as conn, conn.transaction():
            yield ClaimedBatch(conn, await claim(conn, heads, limit))

    async def purge_published(self, retention_s: float) -> int:
        async with self._pool.acquire() as conn:
            return await purge_published(conn, retention_s)
