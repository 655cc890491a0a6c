"""The dispatcher: integration_outbox rows → one delivery per subscribed webhook.

Runs beside the sender in the worker process, woken by the outbox's NOTIFY and
polling as a fallback. It never sends anything itself, so a slow receiver can
never hold back the fan-out of new events.
"""

import asyncio
import time
from dataclasses import dataclass

import structlog

from call_service.service.dispatch_integration_events import dispatch_integration_events
from call_service.service.wakeup import Wakeup
from call_service.service.webhook_ports import IntegrationFanOut
from call_service.webhooks.worker_settings import WebhookWorkerSettings

PURGE_EVERY_S = 60.0
_log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class DispatchParts:
    """What the composition root (webhooks/worker.py) hands the dispatcher."""

    fan_out: IntegrationFanOut
    events: Wakeup
    """Integration events pending."""
    deliveries: Wakeup
    """Deliveries pending: poked when a dispatch created some."""
    unavailable: tuple[type[BaseException], ...]
    """What the fan-out raises while its database is unreachable: logged, then retried."""


async def run_dispatcher(
    parts: DispatchParts, settings: WebhookWorkerSettings, stop: asyncio.Event
) -> None:
    next_purge = time.monotonic()
    while not stop.is_set():
        rows = 0
        try:
            result = await dispatch_integration_events(
                parts.fan_out, parts.deliveries, settings.batch_size
            )
            rows = result.rows
            if result.deliveries:
                _log.info("webhooks_dispatched", rows=rows, deliveries=result.deliveries)
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + PURGE_EVERY_S
                await parts.fan_out.purge_dispatched(settings.outbox_retention_s)
        except parts.unavailable as exc:
            _log.warning("webhooks_database_unavailable", error=type(exc).__name__)
        if rows >= settings.batch_size:
            continue  # more is waiting: no pause
        stopper = asyncio.ensure_future(stop.wait())
        waiter = asyncio.ensure_future(parts.events.wait())
        await asyncio.wait({stopper, waiter}, return_when=asyncio.FIRST_COMPLETED)
        for task in (stopper, waiter):
            task.cancel()
