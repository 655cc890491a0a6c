"""Wake worker loops on PostgreSQL NOTIFY, with polling as the fallback.

Insert triggers NOTIFY a channel at commit (see the migrations): the outbox on
`outbox_pending`, the integration outbox on `integration_outbox_pending`, a
created or redelivered webhook delivery on `webhook_deliveries_pending`. One
dedicated connection per process LISTENs on the channels it cares about.

Notifications only cut latency; no notification is ever needed for correctness.
Every wait also returns after `poll_interval_s`, and a lost connection
(PostgreSQL restarted) is re-opened on the next wait. Each (re)listen sets every
channel's event, so whatever was committed while nobody listened is looked at now.
"""

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any

import asyncpg
import structlog

from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS

OUTBOX_PENDING = "outbox_pending"
INTEGRATION_OUTBOX_PENDING = "integration_outbox_pending"
WEBHOOK_DELIVERIES_PENDING = "webhook_deliveries_pending"
_log = structlog.get_logger(__name__)


class ChannelWakeup:
    """One LISTEN connection, one event per channel; loops wait on their own channel."""

    def __init__(
        self,
        database_url: str,
        poll_interval_s: float,
        channels: Iterable[str],
        *,
        unavailable_event: str,
    ) -> None:
        self._url = database_url
        self._poll = poll_interval_s
        self._unavailable_event = unavailable_event  # the log event when LISTEN fails
        self._conn: Any = None
        # Several loops may wait at once: only one of them opens the connection.
        self._lock = asyncio.Lock()
        self._events = {channel: asyncio.Event() for channel in channels}

    def _notified(self, _conn: object, _pid: int, channel: str, _payload: str) -> None:
        self._events[channel].set()

    async def _ensure_listening(self) -> None:
        async with self._lock:
            if self._conn is not None and not self._conn.is_closed():
                return
            try:
                self._conn = await asyncpg.connect(self._url, timeout=5)
                for channel in self._events:
                    await self._conn.add_listener(channel, self._notified)
            except UNAVAILABLE_ERRORS as exc:
                self._conn = None
                _log.warning(self._unavailable_event, error=type(exc).__name__)
                return
            for event in self._events.values():
                event.set()  # anything committed while we were deaf: look now

    def poke(self, channel: str) -> None:
        """Wake a loop from inside the process (a freed slot, a fresh dispatch)."""
        self._events[channel].set()

    async def wait(self, channel: str, timeout_s: float | None = None) -> None:
        """Return on a notification on `channel` or after the poll interval (or `timeout_s`)."""
        await self._ensure_listening()
        event = self._events[channel]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout_s or self._poll)
        event.clear()

    async def close(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()
