"""The webhook worker's composition: one pool, one HTTP session, dispatcher + sender.

The session's connector reaches only checked addresses (checked_connector.py);
`resolver` is the port its lookups go through (the system's by default).
"""

import asyncio

import aiohttp
import structlog

from call_service.adapters.postgres.notifications import (
    INTEGRATION_OUTBOX_PENDING,
    WEBHOOK_DELIVERIES_PENDING,
    ChannelWakeup,
)
from call_service.adapters.postgres.pool import create_pool
from call_service.webhooks.checked_connector import checked_connector
from call_service.webhooks.dispatch_loop import run_dispatcher
from call_service.webhooks.policy import WebhookPolicy
from call_service.webhooks.send_loop import SendLoop
from call_service.webhooks.sender import DeliveryContext
from call_service.webhooks.target_check import HostResolver, SystemResolver, TargetCheck

_log = structlog.get_logger(__name__)


async def run_worker(
    database_url: str,
    policy: WebhookPolicy,
    stop: asyncio.Event,
    resolver: HostResolver | None = None,
) -> None:
    """Run until `stop` is set; both loops finish their current step before returning."""
    pool = await create_pool(database_url, max_size=10)
    targets = TargetCheck(policy.allowed_targets, resolver or SystemResolver(), policy.timeout_s)
    connector = checked_connector(targets, policy.max_in_flight)
    session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": "call-webhooks/1"})
    wakeup = ChannelWakeup(
        database_url,
        policy.poll_interval_s,
        [INTEGRATION_OUTBOX_PENDING, WEBHOOK_DELIVERIES_PENDING],
        unavailable_event="webhooks_listen_unavailable",
    )
    sender = SendLoop(DeliveryContext(pool, session, policy, targets), wakeup, stop)
    _log.info(
        "webhooks_started",
        attempts=policy.attempts,
        timeout_s=policy.timeout_s,
        concurrency_per_webhook=policy.concurrency_per_webhook,
        allowed_hosts=sorted(policy.allowed_targets.names),
        allowed_networks=[str(n) for n in policy.allowed_targets.networks],
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
