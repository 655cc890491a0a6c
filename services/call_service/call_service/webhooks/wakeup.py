"""Wake the dispatcher and the sender on NOTIFY, with a polling fallback.

One dedicated connection LISTENs on both channels: `integration_outbox_pending`
(an integration event committed) and `webhook_deliveries_pending` (a delivery
created or redelivered). Notifications only cut latency; each loop also polls
every `poll_interval_s`, and a lost connection is re-opened on the next wait.
"""

import asyncio
import contextlib
from typing import Any

import asyncpg
import structlog

from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS

OUTBOX_CHANNEL = "integration_outbox_pending"
DELIVERIES_CHANNEL = "webhook_deliveries_pending"
_log = structlog.get_logger(__name__)


class WebhookWakeup:
    def __init__(self, database_url: str, poll_interval_s: float) -> None:
        self._url = database_url
        self._poll = poll_interval_s
        self._conn: Any = None
        self._lock = asyncio.Lock()
        self.events = {OUTBOX_CHANNEL: asyncio.Event(), DELIVERIES_CHANNEL: asyncio.Event()}

    def _notified(self, _conn: object, _pid: int, channel: str, _payload: str) -> None:
        self.events[channel].set()

    async def _ensure_listening(self) -> None:
        async with self._lock:
            if self._conn is not None and not self._conn.is_closed():
                return
            try:
                self._conn = await asyncpg.connect(self._url, timeout=5)
                for channel in self.events:
                    await self._conn.add_listener(channel, self._notified)
            except UNAVAILABLE_ERRORS as exc:
                self._conn = None
                _log.warning("webhooks_listen_unavailable", error=type(exc).__name__)
                return
            for event in self.events.values():
                event.set()  # anything committed while we were deaf: look now

    def poke(self, channel: str) -> None:
        """Wake a loop from inside the process (a freed slot, a fresh dispatch)."""
        self.events[channel].set()

    async def wait(self, channel: str, timeout_s: float | None = None) -> None:
        """Return on a notification on `channel` or after the poll interval."""
        await self._ensure_listening()
        event = self.events[channel]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout_s or self._poll)
        event.clear()

    async def close(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()
