"""Tell the relay and the webhook dispatcher, after a commit, that rows wait: coalesced NOTIFYs.

Why not an insert trigger (as before migration 0004): a transaction that NOTIFYs
holds PostgreSQL's global notify lock through its commit, WAL flush included, so
notifying transactions commit one at a time. Measured here at 64 clients: 4,961
outbox inserts/s without the trigger, 626 with it (docs/performance.md).

Sent after the commit, in a statement of its own, with at most one in flight per
channel and process, a burst of commits costs one or two notifications. A commit
that lands while a notification is in flight asks for one more after it, so the
last commit is always followed by a notification the listener can act on.
Notifications only cut latency: the listeners also poll (notifications.py).
"""

import asyncio
from collections.abc import Iterable
from typing import Any

import asyncpg
import structlog

from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS

_log = structlog.get_logger(__name__)
NOTIFY = "SELECT pg_notify($1, '')"


class CommitSignal:
    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._again: dict[str, bool] = {}
        self._sending: dict[str, asyncio.Task[None]] = {}

    def committed(self, channels: Iterable[str]) -> None:
        """Rows for `channels` were just committed: notify soon, coalescing with others."""
        for channel in channels:
            if channel in self._sending:
                self._again[channel] = True
            else:
                self._sending[channel] = asyncio.create_task(self._send(channel))

    async def _send(self, channel: str) -> None:
        try:
            while True:
                self._again[channel] = False
                try:
                    await self._pool.execute(NOTIFY, channel)
                except (*UNAVAILABLE_ERRORS, asyncpg.PostgresError) as exc:
                    # The listeners' polling picks the rows up; nothing is lost.
                    _log.warning("notify_failed", channel=channel, error=type(exc).__name__)
                    return
                if not self._again[channel]:
                    return
        finally:
            del self._sending[channel]

    async def close(self) -> None:
        """Let notifications in flight finish (called before the pool closes)."""
        await asyncio.gather(*self._sending.values(), return_exceptions=True)
