"""The dispatcher: integration_outbox rows → one delivery per subscribed webhook.

Runs beside the sender in the worker process, woken by the outbox's NOTIFY and
polling as a fallback. It never sends anything itself, so a slow receiver can
never hold back the fan-out of new events.
"""

import asyncio
import time

import structlog

from call_service.adapters.postgres.notifications import (
    INTEGRATION_OUTBOX_PENDING,
    WEBHOOK_DELIVERIES_PENDING,
    ChannelWakeup,
)
from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS
from call_service.adapters.postgres.webhook_deliveries import dispatch, purge_dispatched
from call_service.webhooks.policy import WebhookPolicy

PURGE_EVERY_S = 60.0
_log = structlog.get_logger(__name__)


async def run_dispatcher(
    pool: object, wakeup: ChannelWakeup, policy: WebhookPolicy, stop: asyncio.Event
) -> None:
    next_purge = time.monotonic()
    while not stop.is_set():
        rows = 0
        try:
            async with pool.acquire() as conn:  # type: ignore[attr-defined]
                result = await dispatch(conn, policy.batch_size)
                rows = result.rows
                if result.deliveries:
                    wakeup.poke(WEBHOOK_DELIVERIES_PENDING)
                    _log.info("webhooks_dispatched", rows=rows, deliveries=result.deliveries)
                if time.monotonic() >= next_purge:
                    next_purge = time.monotonic() + PURGE_EVERY_S
                    await purge_dispatched(conn, policy.outbox_retention_s)
        except UNAVAILABLE_ERRORS as exc:
            _log.warning("webhooks_database_unavailable", error=type(exc).__name__)
        if rows >= policy.batch_size:
            continue  # more is waiting: no pause
        stopper = asyncio.ensure_future(stop.wait())
        waiter = asyncio.ensure_future(wakeup.wait(INTEGRATION_OUTBOX_PENDING))
        await asyncio.wait({stopper, waiter}, return_when=asyncio.FIRST_COMPLETED)
        for task in (stopper, waiter):
            task.cancel()
