"""The transactional outbox: rows added in the event's transaction, drained by relays.

Claiming takes, per ordering key (the call id), the oldest pending row — the
key's head — with `FOR UPDATE SKIP LOCKED`, plus the pending rows behind it.
A relay that holds a head therefore owns its whole key: any other relay skips
the locked head and cannot take a later row, because a row is only a head
while nothing older of its key is pending. That keeps per-call order with any
number of relays, and a head that is backing off after a failed publish holds
back its key's later rows instead of letting them overtake it.
"""

from typing import Any

from call_service.adapters.postgres.notifications import OUTBOX_PENDING
from call_service.service.relay_ports import ClaimedOutboxRow

# Heads walk outbox_pending_order_idx in id order; each key lookup is a parameterised
# probe of outbox_pending_key_idx (LIMIT inside LATERAL / the scalar subquery), a plan
# that stays fast whatever the statistics say (see migration 0005).
CLAIM = """
WITH heads AS (
    SELECT o.id, o.ordering_key
    FROM outbox o
    WHERE o.published_at IS NULL AND o.attempts >= 0
      AND o.next_attempt_at <= now()
      AND o.id = (SELECT k.id FROM outbox k
                  WHERE k.ordering_key = o.ordering_key AND k.published_at IS NULL
                  ORDER BY k.ordering_key, k.id
                  LIMIT 1)
    ORDER BY o.id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
SELECT p.id, p.ordering_key, p.kind, p.payload::text AS payload, p.correlation_id, p.attempts,
       (p.payload #>> '{message,event,seq}')::int AS seq
FROM heads h
CROSS JOIN LATERAL (
    SELECT * FROM outbox o
    WHERE o.ordering_key = h.ordering_key AND o.published_at IS NULL
    ORDER BY o.ordering_key, o.id
    LIMIT $2
) p
ORDER BY p.id
LIMIT $2
"""
INSERT = """
INSERT INTO outbox (ordering_key, kind, payload, correlation_id) VALUES ($1, $2, $3, $4)
"""
MARK_PUBLISHED = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"
MARK_FAILED = """
UPDATE outbox
SET attempts = attempts + 1,
    last_error = left($2, 500),
    next_attempt_at = now() + make_interval(secs => least($3 * power(2, attempts), $4))
WHERE id = ANY($1::bigint[])
"""
PURGE = """
DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox WHERE published_at < now() - make_interval(secs => $1) LIMIT $2)
"""
# failing: pending rows whose last publish failed (mark_failed), until they are published.
STATUS = """
SELECT
    (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS pending,
    (SELECT extract(epoch FROM now() - min(created_at))::float8
       FROM outbox WHERE published_at IS NULL) AS oldest_pending_age_s,
    (SELECT count(*) FROM outbox
       WHERE published_at IS NOT NULL AND published_at > now() - interval '1 minute')
       AS published_last_minute,
    (SELECT count(*) FROM outbox WHERE published_at IS NULL AND attempts > 0) AS failing
"""


class PostgresOutbox:
    """The writer side, bound to the event transaction's connection."""

    def __init__(self, conn: Any, written: set[str]) -> None:
        self._conn = conn
        self._written = written  # channels to notify after commit

    async def add(
        self, ordering_key: str, kind: str, payload: dict[str, Any], correlation_id: str | None
    ) -> None:
        await self._conn.execute(INSERT, ordering_key, kind, payload, correlation_id)
        self._written.add(OUTBOX_PENDING)


async def claim(conn: Any, heads: int, limit: int) -> list[ClaimedOutboxRow]:
    """Lock up to `heads` keys and return up to `limit` of their pending rows, in id order.

    Must run inside a transaction: the locks last until it ends.
    """
    return [ClaimedOutboxRow(**dict(r)) for r in await conn.fetch(CLAIM, heads, limit)]


async def mark_published(conn: Any, ids: list[int]) -> None:
    if ids:
        await conn.execute(MARK_PUBLISHED, ids)


async def mark_failed(
    conn: Any, ids: list[int], error: str, base_backoff_s: float, max_backoff_s: float
) -> None:
    """Record the failure; the rows stay pending and are retried after a growing delay."""
    if ids:
        await conn.execute(MARK_FAILED, ids, error, base_backoff_s, max_backoff_s)


async def purge_published(conn: Any, retention_s: float, chunk: int = 10_000) -> int:
    result: str = await conn.execute(PURGE, retention_s, chunk)
    return int(result.split()[-1])


async def outbox_status(conn: Any) -> dict[str, Any]:
    return dict(await conn.fetchrow(STATUS))
