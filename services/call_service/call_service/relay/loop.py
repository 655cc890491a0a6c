"""The relay's main loop: drain while there is work, back off on failure, purge old rows.

A failed batch never ends the loop. Publish failures (any Redis error) are marked on
their rows by `drain_once`; PostgreSQL being unreachable, or anything unexpected, is
logged and retried after the same growing delay. `relay_consecutive_failed_batches`
shows a failure while it lasts and drops back to 0 with the first good batch.
"""

import asyncio
import contextlib
import time
import traceback

import redis.asyncio as redis
import structlog
from prometheus_client import Counter, Gauge

from call_service.adapters.postgres.notifications import OUTBOX_PENDING, ChannelWakeup
from call_service.adapters.postgres.outbox import purge_published
from call_service.adapters.postgres.pool import create_pool
from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS
from call_service.adapters.redis_publisher import RedisPublisher
from call_service.relay.drain import BatchResult, DrainPolicy, drain_once
from call_service.settings import Settings

PURGE_EVERY_S = 60.0
_log = structlog.get_logger(__name__)
CONSECUTIVE_FAILURES = Gauge(
    "relay_consecutive_failed_batches",
    "Batches in a row that failed (publish, database or unexpected); 0 once one succeeds.",
)
UNEXPECTED_ERRORS = Counter(
    "relay_unexpected_errors_total",
    "Batches that failed with an error other than a publish failure or PostgreSQL "
    "being unreachable (a bug); the relay logs it and retries.",
    ["error"],
)


async def run_relay(settings: Settings, stop: asyncio.Event, policy: DrainPolicy) -> None:
    pool = await create_pool(settings.database_url, max_size=2)
    client = redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
    publisher = RedisPublisher(client, settings.redis_channel)
    wakeup = ChannelWakeup(
        settings.database_url,
        settings.relay_poll_interval_s,
        [OUTBOX_PENDING],
        unavailable_event="relay_listen_unavailable",
    )
    failures = 0
    next_purge = time.monotonic()
    _log.info("relay_started", channel=settings.redis_channel, batch_size=policy.batch_size)
    try:
        while not stop.is_set():
            try:
                result = await drain_once(pool, publisher, policy)
                if time.monotonic() >= next_purge:
                    next_purge = time.monotonic() + PURGE_EVERY_S
                    await _purge(pool, settings.outbox_retention_s)
            except UNAVAILABLE_ERRORS as exc:
                _log.warning("relay_database_unavailable", error=type(exc).__name__)
                result = BatchResult(0, 1)
            except Exception as exc:  # noqa: BLE001 - a bug must not stop delivery; logged
                _log.error("relay_batch_failed", error=type(exc).__name__, where=_raised_at(exc))
                UNEXPECTED_ERRORS.labels(type(exc).__name__).inc()
                result = BatchResult(0, 1)
            failures = failures + 1 if result.failed else 0
            CONSECUTIVE_FAILURES.set(failures)
            if result.published >= policy.batch_size:
                continue  # more is waiting: no pause
            delay = _backoff(failures, policy) if failures else None
            await _wait(wakeup, stop, delay)
    finally:
        await wakeup.close()
        await client.aclose()
        await pool.close()
        _log.info("relay_stopped")


def _raised_at(exc: BaseException) -> str:
    """`file:line` of the frame that raised: logged instead of the message, which may
    quote data."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "unknown"


def _backoff(failures: int, policy: DrainPolicy) -> float:
    return float(min(policy.base_backoff_s * 2 ** (failures - 1), policy.max_backoff_s))


async def _wait(wakeup: ChannelWakeup, stop: asyncio.Event, delay: float | None) -> None:
    """Sleep until NOTIFY / poll tick (or the backoff delay), waking early on stop."""
    if delay is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        return
    stopper = asyncio.ensure_future(stop.wait())
    waiter = asyncio.ensure_future(wakeup.wait(OUTBOX_PENDING))
    await asyncio.wait({stopper, waiter}, return_when=asyncio.FIRST_COMPLETED)
    for task in (stopper, waiter):
        task.cancel()


async def _purge(pool: object, retention_s: float) -> None:
    async with pool.acquire() as conn:  # type: ignore[attr-defined]
        deleted = await purge_published(conn, retention_s)
    if deleted:
        _log.info("outbox_purged", rows=deleted)
