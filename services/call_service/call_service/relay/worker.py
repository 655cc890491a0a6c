"""The relay's composition root: one pool, one Redis publisher, one LISTEN connection."""

import asyncio

import structlog

from call_service.adapters.postgres.channel_wakeup import ChannelSignal
from call_service.adapters.postgres.notifications import OUTBOX_PENDING, ChannelWakeup
from call_service.adapters.postgres.pool import create_pool
from call_service.adapters.postgres.relay_outbox import PostgresRelayOutbox
from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS
from call_service.adapters.redis_publisher import RedisPublisher
from call_service.relay.loop import RelayParts, run_relay_loop
from call_service.service.publish_outbox import DrainPolicy
from call_service.settings import Settings

_log = structlog.get_logger(__name__)


async def run_relay(settings: Settings, stop: asyncio.Event, policy: DrainPolicy) -> None:
    """Drain the outbox to Redis until `stop` is set; the current batch finishes first."""
    pool = await create_pool(settings.database_url, max_size=2)
    publisher = RedisPublisher.from_url(settings.redis_url, settings.redis_channel)
    wakeup = ChannelWakeup(
        settings.database_url,
        settings.relay_poll_interval_s,
        [OUTBOX_PENDING],
        unavailable_event="relay_listen_unavailable",
    )
    parts = RelayParts(
        outbox=PostgresRelayOutbox(pool),
        publisher=publisher,
        wakeup=ChannelSignal(wakeup, OUTBOX_PENDING),
        unavailable=UNAVAILABLE_ERRORS,
    )
    _log.info("relay_started", channel=settings.redis_channel, batch_size=policy.batch_size)
    try:
        await run_relay_loop(parts, policy, settings.outbox_retention_s, stop)
    finally:
        await wakeup.close()
        await publisher.close()
        await pool.close()
        _log.info("relay_stopped")
