"""Use case: one relay batch — claim → publish → mark, inside one claim (one transaction).

The claim's row locks are held until the marks commit, so a crash anywhere
in between leaves the rows pending for the next relay (at-least-once; the
realtime service drops the repeats).

A publish that fails — any error the publisher reports: unreachable, out of
memory, read-only, refused by its ACL — marks the batch's rows failed (`attempts`,
`last_error`, a growing `next_attempt_at`): they stay pending, `failing` in the
outbox status counts them until they are published, and nothing is lost.

A publish that reaches no subscriber counts as failed too (unless the policy says
otherwise): pub/sub keeps nothing, so a message sent while every realtime process is
reconnecting would be lost. The row waits instead and goes out once a subscriber is back.
"""

from dataclasses import dataclass

from call_service.service.relay_ports import (
    ClaimedOutboxRow,
    Publisher,
    PublishFailed,
    RelayOutbox,
)

NO_SUBSCRIBER = "no subscriber"


@dataclass(frozen=True)
class DrainPolicy:
    batch_size: int = 500
    base_backoff_s: float = 0.25
    max_backoff_s: float = 5.0
    require_subscriber: bool = True


@dataclass(frozen=True)
class BatchResult:
    published: int
    failed: int
    published_rows: tuple[ClaimedOutboxRow, ...] = ()
    error: str | None = None
    """Why the `failed` rows wait: the publisher's error, or NO_SUBSCRIBER."""


async def publish_outbox_batch(
    outbox: RelayOutbox, publisher: Publisher, policy: DrainPolicy
) -> BatchResult:
    """Publish one batch of pending rows in order; what went out and what waits."""
    async with outbox.claim(policy.batch_size, policy.batch_size) as batch:
        rows = batch.rows
        if not rows:
            return BatchResult(0, 0)
        ids = [r.id for r in rows]
        try:
            receivers = await publisher.publish_batch([r.payload for r in rows])
        except PublishFailed as exc:
            await batch.mark_failed(ids, str(exc), policy.base_backoff_s, policy.max_backoff_s)
            return BatchResult(0, len(ids), error=str(exc))
        delivered = delivered_prefix(receivers, policy.require_subscriber)
        await batch.mark_published(ids[:delivered])
        if delivered < len(ids):
            await batch.mark_failed(
                ids[delivered:], NO_SUBSCRIBER, policy.base_backoff_s, policy.max_backoff_s
            )
    error = NO_SUBSCRIBER if delivered < len(ids) else None
    return BatchResult(delivered, len(ids) - delivered, tuple(rows[:delivered]), error)


def delivered_prefix(receivers: list[int], require_subscriber: bool) -> int:
    """How many leading messages count as delivered; later ones are retried in order."""
    if not require_subscriber:
        return len(receivers)
    for index, count in enumerate(receivers):
        if count == 0:
            return index
    return len(receivers)
