"""The port a worker loop sleeps on between batches (NOTIFY with polling, in adapters)."""

from typing import Protocol


class Wakeup(Protocol):
    """One kind of work (outbox rows, integration events, deliveries) that may be waiting.

    Notifications only cut latency: `wait` returns after the poll interval at the
    latest, so nothing depends on one arriving.
    """

    async def wait(self) -> None:
        """Return when new work may be waiting: a notification, a poke, or the poll interval."""

    def poke(self) -> None:
        """Wake the waiter from inside the process (a freed slot, a fresh dispatch)."""
