"""The relay's main loop: publish while there is work, back off on failure, purge old rows.

A failed batch never ends the loop. Publish failures (any Redis error) are marked on
their rows by the use case (service/publish_outbox.py); PostgreSQL being unreachable,
or anything unexpected, is logged and retried after the same growing delay.
`relay_consecutive_failed_batches` shows a failure while it lasts and drops back to 0
with the first good batch.
"""

import asyncio
import contextlib
import time
import traceback
from dataclasses import dataclass

import structlog
from prometheus_client import Counter, Gauge

from call_service.service.publish_outbox import (
    NO_SUBSCRIBER,
    BatchResult,
    DrainPolicy,
    publish_outbox_batch,
)
from call_service.service.relay_ports import Publisher, RelayOutbox
from call_service.service.wakeup import Wakeup

PURGE_EVERY_S = 60.0
_log = structlog.get_logger(__name__)
PUBLISHED = Counter("relay_published_total", "Outbox rows published to Redis.")
FAILED = Counter("relay_publish_failures_total", "Outbox rows whose publish failed.")
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


@dataclass(frozen=True)
class RelayParts:
    """What the composition root (relay/worker.py) hands the loop."""

    outbox: RelayOutbox
    publisher: Publisher
    wakeup: Wakeup
    unavailable: tuple[type[BaseException], ...]
    """What the outbox raises while its database is unreachable: logged, then retried."""


async def run_relay_loop(
    parts: RelayParts, policy: DrainPolicy, retention_s: float, stop: asyncio.Event
) -> None:
    failures = 0
    next_purge = time.monotonic()
    while not stop.is_set():
        try:
            result = await publish_outbox_batch(parts.outbox, parts.publisher, policy)
            _report(result)
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + PURGE_EVERY_S
                await _purge(parts.outbox, retention_s)
        except parts.unavailable as exc:
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
        await _wait(parts.wakeup, stop, delay)


def _report(result: BatchResult) -> None:
    if result.error == NO_SUBSCRIBER:
        _log.warning("outbox_no_subscriber", rows=result.failed)
    elif result.error is not None:
        _log.warning("outbox_publish_failed", rows=result.failed, error=result.error)
    FAILED.inc(result.failed)
    if result.published_rows:
        # One line per batch, not per row (a drain publishes tens of thousands of rows
        # a second); each correlation id is still on it, so one grep follows an event.
        published = result.published_rows
        _log.info(
            "outbox_published",
            rows=len(published),
            first_id=published[0].id,
            last_id=published[-1].id,
            correlation_ids=[r.correlation_id for r in published],
        )
    PUBLISHED.inc(result.published)


def _raised_at(exc: BaseException) -> str:
    """`file:line` of the frame that raised: logged instead of the message, which may
    quote data."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "unknown"


def _backoff(failures: int, policy: DrainPolicy) -> float:
    return float(min(policy.base_backoff_s * 2 ** (failures - 1), policy.max_backoff_s))


async def _wait(wakeup: Wakeup, stop: asyncio.Event, delay: float | None) -> None:
    """Sleep until NOTIFY / poll tick (or the backoff delay), waking early on stop."""
    if delay is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        return
    stopper = asyncio.ensure_future(stop.wait())
    waiter = asyncio.ensure_future(wakeup.wait())
    await asyncio.wait({stopper, waiter}, return_when=asyncio.FIRST_COMPLETED)
    for task in (stopper, waiter):
        task.cancel()


async def _purge(outbox: RelayOutbox, retention_s: float) -> None:
    deleted = await outbox.purge_published(retention_s)
    if deleted:
        _log.info("outbox_purged", rows=deleted)
