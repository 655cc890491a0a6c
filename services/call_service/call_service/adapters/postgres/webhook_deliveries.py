"""The webhook worker's SQL: dispatch integration events into deliveries, claim, record.

Dispatch turns each undispatched integration_outbox row into one delivery per
subscribed webhook and marks the row dispatched, in one statement: the rows are
taken with `FOR UPDATE SKIP LOCKED`, so several workers split the backlog and a
row is never fanned out twice (the unique (outbox row, webhook) pair backs that up).

Claiming marks a delivery `in_flight` with a lease (`next_attempt_at` = lease end),
so two workers never send one delivery at the same time; a worker that dies
mid-send leaves a lease that expires, and the delivery is taken over. Claims are
capped per webhook by the worker's free slots, so a slow receiver's backlog
never sits in memory behind its semaphore with a lease running out.
"""

import uuid
from typing import Any

from call_service.service.webhook_ports import AttemptOutcome, ClaimedDelivery, DispatchResult

DISPATCH = """
WITH batch AS (
    SELECT id, event_type, payload, correlation_id
    FROM integration_outbox
    WHERE dispatched_at IS NULL
    ORDER BY id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), created AS (
    INSERT INTO webhook_deliveries
        (id, webhook_id, integration_outbox_id, event_type, payload, correlation_id)
    SELECT gen_random_uuid(), w.id, b.id, b.event_type, b.payload, b.correlation_id
    FROM batch b
    JOIN webhooks w ON w.event_types @> ARRAY[b.event_type]
    ORDER BY b.id
    ON CONFLICT ON CONSTRAINT webhook_deliveries_outbox_webhook_key DO NOTHING
    RETURNING 1
), marked AS (
    UPDATE integration_outbox o SET dispatched_at = now()
    FROM batch WHERE o.id = batch.id
    RETURNING o.id
)
SELECT (SELECT count(*) FROM marked) AS rows, (SELECT count(*) FROM created) AS deliveries
"""
CLAIM = """
WITH free AS (
    SELECT w.id AS webhook_id, coalesce(f.slots, $3) AS slots
    FROM webhooks w
    LEFT JOIN unnest($1::uuid[], $2::int[]) AS f(webhook_id, slots) ON f.webhook_id = w.id
), picked AS (
    SELECT due.id
    FROM free CROSS JOIN LATERAL (
        SELECT d.id FROM webhook_deliveries d
        WHERE d.webhook_id = free.webhook_id
          AND d.status IN ('pending', 'in_flight')
          AND d.next_attempt_at <= now()
        ORDER BY d.next_attempt_at, d.id
        LIMIT free.slots
        FOR UPDATE SKIP LOCKED
    ) due
    LIMIT $4
)
UPDATE webhook_deliveries d
SET status = 'in_flight', next_attempt_at = now() + make_interval(secs => $5), updated_at = now()
FROM webhooks w
WHERE d.id IN (SELECT id FROM picked) AND w.id = d.webhook_id
RETURNING d.id, d.webhook_id, w.url, w.secret, d.event_type, d.payload, d.attempts,
    d.correlation_id
"""
RECORD_ATTEMPT = """
WITH updated AS (
    UPDATE webhook_deliveries
    SET attempts = attempts + 1,
        last_status_code = $4,
        last_error = left($5, 500),
        status = $6,
        delivered_at = CASE WHEN $6 = 'delivered' THEN now() END,
        updated_at = now()
    WHERE id = $1 AND status = 'in_flight'
    RETURNING id
)
INSERT INTO webhook_delivery_attempts (delivery_id, attempted_at, duration_ms, status_code, error)
SELECT id, $2, $3, $4, left($5, 500) FROM updated
"""
RELEASE = """
UPDATE webhook_deliveries
SET status = 'pending', next_attempt_at = now(), updated_at = now()
WHERE id = ANY($1::uuid[]) AND status = 'in_flight'
"""
PURGE_DISPATCHED = """
DELETE FROM integration_outbox WHERE id IN (
    SELECT id FROM integration_outbox
    WHERE dispatched_at < now() - make_interval(secs => $1) LIMIT $2)
"""


async def dispatch(conn: Any, batch_size: int) -> DispatchResult:
    """Fan out up to `batch_size` undispatched integration events into deliveries."""
    row = await conn.fetchrow(DISPATCH, batch_size)
    return DispatchResult(rows=int(row["rows"]), deliveries=int(row["deliveries"]))


async def claim(
    conn: Any,
    free_slots: dict[uuid.UUID, int],
    slots_per_webhook: int,
    limit: int,
    lease_s: float,
) -> list[ClaimedDelivery]:
    """Take due deliveries: per webhook at most its free slots (default `slots_per_webhook`)."""
    ids = list(free_slots)
    rows = await conn.fetch(
        CLAIM, ids, [free_slots[i] for i in ids], slots_per_webhook, limit, lease_s
    )
    return [ClaimedDelivery(**dict(r)) for r in rows]


async def record_attempt(
    conn: Any, delivery_id: uuid.UUID, outcome: AttemptOutcome, status: str
) -> None:
    """Log the attempt and move the delivery to `status` (in_flight while retries remain)."""
    await conn.execute(
        RECORD_ATTEMPT,
        delivery_id,
        outcome.attempted_at,
        outcome.duration_ms,
        outcome.status_code,
        outcome.error,
        status,
    )


async def release(conn: Any, delivery_ids: list[uuid.UUID]) -> None:
    """Hand deliveries a stopping worker did not finish back to the queue, due now."""
    if delivery_ids:
        await conn.execute(RELEASE, delivery_ids)


async def purge_dispatched(conn: Any, retention_s: float, chunk: int = 10_000) -> int:
    """Delete fanned-out integration events; each delivery keeps its own payload copy."""
    result: str = await conn.execute(PURGE_DISPATCHED, retention_s, chunk)
    return int(result.split()[-1])
