"""The webhook worker's composition root: one pool, one HTTP client, dispatcher + sender.

The client's connector reaches only checked addresses (adapters/http/checked_connector.py);
`resolver` is the port its lookups go through (the system's by default).
"""

import asyncio

import structlog

from call_service.adapters.http.webhook_client import WebhookHttpClient
from call_service.adapters.postgres.channel_wakeup import ChannelSignal
from call_service.adapters.postgres.notifications import (
    INTEGRATION_OUTBOX_PENDING,
    WEBHOOK_DELIVERIES_PENDING,
    ChannelWakeup,
)
from call_service.adapters.postgres.pool import create_pool
from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS
from call_service.adapters.postgres.webhook_delivery_queue import (
    PostgresDeliveryQueue,
    PostgresIntegrationFanOut,
)
from call_service.adapters.system_clock import SystemClock
from call_service.adapters.system_resolver import SystemResolver
from call_service.service.send_delivery import DeliverySender, RetrySchedule, SendPorts
from call_service.service.target_check import HostResolver, TargetCheck
from call_service.webhooks.attempt_log import AttemptLog
from call_service.webhooks.dispatch_loop import DispatchParts, run_dispatcher
from call_service.webhooks.send_loop import SendLoop, SendParts
from call_service.webhooks.worker_settings import WebhookWorkerSettings
from service_kit.webhook_signing import signed_headers

_log = structlog.get_logger(__name__)


async def run_worker(
    database_url: str,
    settings: WebhookWorkerSettings,
    stop: asyncio.Event,
    resolver: HostResolver | None = None,
) -> None:
    """Run until `stop` is set; both loops finish their current step before returning."""
    pool = await create_pool(database_url, max_size=10)
    targets = TargetCheck(
        settings.allowed_targets, resolver or SystemResolver(), settings.timeout_s
    )
    client = WebhookHttpClient(targets, settings.timeout_s, settings.max_in_flight)
    wakeup = ChannelWakeup(
        database_url,
        settings.poll_interval_s,
        [INTEGRATION_OUTBOX_PENDING, WEBHOOK_DELIVERIES_PENDING],
        unavailable_event="webhooks_listen_unavailable",
    )
    deliveries = ChannelSignal(wakeup, WEBHOOK_DELIVERIES_PENDING)
    queue = PostgresDeliveryQueue(pool)
    ports = SendPorts(queue, client, targets, signed_headers, SystemClock(), AttemptLog())
    schedule = RetrySchedule(settings.attempts, settings.backoff_s, settings.max_backoff_s)
    sender = SendLoop(
        SendParts(queue, DeliverySender(ports, schedule), deliveries, UNAVAILABLE_ERRORS),
        settings,
        stop,
    )
    dispatch = DispatchParts(
        PostgresIntegrationFanOut(pool),
        ChannelSignal(wakeup, INTEGRATION_OUTBOX_PENDING),
        deliveries,
        UNAVAILABLE_ERRORS,
    )
    _log.info(
        "webhooks_started",
        attempts=settings.attempts,
        timeout_s=settings.timeout_s,
        concurrency_per_webhook=settings.concurrency_per_webhook,
        allowed_hosts=sorted(settings.allowed_targets.names),
        allowed_networks=[str(n) for n in settings.allowed_targets.networks],
    )
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(run_dispatcher(dispatch, settings, stop))
            group.create_task(sender.run())
    finally:
        await wakeup.close()
        await client.close()
        await pool.close()
        _log.info("webhooks_stopped")
