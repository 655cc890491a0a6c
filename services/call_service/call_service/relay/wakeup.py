"""Wake the relay on NOTIFY, with a polling fallback.

A dedicated connection LISTENs on `outbox_pending` (sent by the outbox's
insert trigger at commit). If that connection is lost — PostgreSQL restarted —
the relay still polls every `poll_interval_s` and re-listens when it can, so
no notification is ever needed for correctness, only for latency.
"""

import asyncio
import contextlib
from typing import Any

import asyncpg
import structlog

from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS

CHANNEL = "outbox_pending"
_log = structlog.get_logger(__name__)


class OutboxWakeup:
    def __init__(self, database_url: str, poll_interval_s: float) -> None:
        self._url = database_url
        self._poll = poll_interval_s
        self._event = asyncio.Event()
        self._conn: Any = None

    def _notified(self, *_args: object) -> None:
        self._event.set()

    async def _ensure_listening(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            return
        try:
            self._conn = await asyncpg.connect(self._url, timeout=5)
            await self._conn.add_listener(CHANNEL, self._notified)
            self._event.set()  # anything committed while we were deaf: look now
        except UNAVAILABLE_ERRORS as exc:
            self._conn = None
            _log.warning("relay_listen_unavailable", error=type(exc).__name__)

    async def wait(self, timeout_s: float | None = None) -> None:
        """Return on a notification or after the poll interval (or `timeout_s`)."""
        await self._ensure_listening()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout_s or self._poll)
        self._event.clear()

    async def close(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()
