"""The webhook worker's composition: one pool, one HTTP session, dispatcher + sender."""

import asyncio

import aiohttp
import structlog

from call_service.adapters.postgres.notifications import (
    INTEGRATION_OUTBOX_PENDING,
    WEBHOOK_DELIVERIES_PENDING,
    ChannelWakeup,
)
from call_service.adapters.postgres.pool import create_pool
from call_service.webhooks.dispatch_loop import run_dispatcher
from call_service.webhooks.policy import WebhookPolicy
from call_service.webhooks.send_loop import SendLoop
from call_service.webhooks.sender import DeliveryContext

_log = structlog.get_logger(__name__)


async def run_worker(database_url: str, policy: WebhookPolicy, stop: asyncio.Event) -> None:
    """Run until `stop` is set; both loops finish their current step before returning."""
    pool = await create_pool(database_url, max_size=10)
    connector = aiohttp.TCPConnector(limit=policy.max_in_flight)
    session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": "call-webhooks/1"})
    wakeup = ChannelWakeup(
        database_url,
        policy.poll_interval_s,
        [INTEGRATION_OUTBOX_PENDING, WEBHOOK_DELIVERIES_PENDING],
        unavailable_event="webhooks_listen_unavailable",
    )
    sender = SendLoop(DeliveryContext(pool, session, policy), wakeup, stop)
    _log.info(
        "webhooks_started",
        attempts=policy.attempts,
        timeout_s=policy.timeout_s,
        concurrency_per_webhook=policy.concurrency_per_webhook,
    )
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(run_dispatcher(pool, wakeup, policy, stop))
            group.create_task(sender.run())
    finally:
        await wakeup.close()
        await session.close()
        await pool.close()
        _log.info("webhooks_stopped")
