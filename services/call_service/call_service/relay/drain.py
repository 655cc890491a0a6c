"""One relay batch: claim → publish → mark, inside one transaction.

The claim's row locks are held until the marks commit, so a crash anywhere
in between leaves the rows pending for the next relay (at-least-once; the
realtime service drops the repeats).

A publish that fails — any Redis error: unreachable, out of memory, read-only,
refused by its ACL — marks the batch's rows failed (`attempts`, `last_error`,
a growing `next_attempt_at`): they stay pending, `failing` in the outbox status
counts them until they are published, and nothing is lost.

A publish that reaches no subscriber counts as failed too: pub/sub keeps nothing,
so a message sent while every realtime process is reconnecting would be lost.
The row waits instead and goes out once a subscriber is back.
"""

from dataclasses import dataclass
from typing import Any

import structlog
from prometheus_client import Counter

from call_service.adapters.postgres.outbox import claim, mark_failed, mark_published
from call_service.adapters.redis_publisher import PublishFailed, RedisPublisher

_log = structlog.get_logger(__name__)
PUBLISHED = Counter("relay_published_total", "Outbox rows published to Redis.")
FAILED = Counter("relay_publish_failures_total", "Outbox rows whose publish failed.")


@dataclass(frozen=True)
class BatchResult:
    published: int
    failed: int


@dataclass(frozen=True)
class DrainPolicy:
    batch_size: int = 500
    base_backoff_s: float = 0.25
    max_backoff_s: float = 5.0
    require_subscriber: bool = True


async def drain_once(pool: Any, publisher: RedisPublisher, policy: DrainPolicy) -> BatchResult:
    async with pool.acquire() as conn, conn.transaction():
        rows = await claim(conn, policy.batch_size, policy.batch_size)
        if not rows:
            return BatchResult(0, 0)
        ids = [r.id for r in rows]
        try:
            receivers = await publisher.publish_batch([r.payload for r in rows])
        except PublishFailed as exc:
            await mark_failed(conn, ids, str(exc), policy.base_backoff_s, policy.max_backoff_s)
            _log.warning("outbox_publish_failed", rows=len(ids), error=str(exc))
            FAILED.inc(len(ids))
            return BatchResult(0, len(ids))
        delivered = _delivered_prefix(receivers, policy.require_subscriber)
        await mark_published(conn, ids[:delivered])
        if delivered < len(ids):
            await mark_failed(
                conn, ids[delivered:], "no subscriber", policy.base_backoff_s, policy.max_backoff_s
            )
            _log.warning("outbox_no_subscriber", rows=len(ids) - delivered)
            FAILED.inc(len(ids) - delivered)
        if delivered:
            # One line per batch, not per row (a drain publishes tens of thousands of rows
            # a second); each correlation id is still on it, so one grep follows an event.
            published = rows[:delivered]
            _log.info(
                "outbox_published",
                rows=delivered,
                first_id=published[0].id,
                last_id=published[-1].id,
                correlation_ids=[r.correlation_id for r in published],
            )
    PUBLISHED.inc(delivered)
    return BatchResult(delivered, len(ids) - delivered)


def _delivered_prefix(receivers: list[int], require_subscriber: bool) -> int:
    """How many leading messages count as delivered; later ones are retried in order."""
    if not require_subscriber:
        return len(receivers)
    for index, count in enumerate(receivers):
        if count == 0:
            return index
    return len(receivers)
