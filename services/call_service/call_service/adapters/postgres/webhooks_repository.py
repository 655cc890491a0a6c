"""Webhook subscriptions and their deliveries, as the admin API reads and changes them.

The secret is written here and read only by the worker's claim: no query of this
module returns it, so no API response can leak it by accident.
"""

import uuid
from typing import Any

from pydantic import SecretStr

from call_service.service.read_filters import DeliveryFilter
from contracts.integrations import IntegrationEventType
from contracts.webhooks import Webhook, WebhookDelivery

INSERT = """
INSERT INTO webhooks (id, url, event_types, secret) VALUES ($1, $2, $3, $4)
RETURNING id, url, event_types, created_at
"""
LIST = "SELECT id, url, event_types, created_at FROM webhooks ORDER BY created_at, id"
GET = "SELECT id, url, event_types, created_at FROM webhooks WHERE id = $1"
DELETE = "DELETE FROM webhooks WHERE id = $1"
LIST_DELIVERIES = """
SELECT id, webhook_id, event_type, status, attempts, next_attempt_at, last_error, last_status_code,
    created_at, delivered_at, correlation_id, payload
FROM webhook_deliveries
WHERE webhook_id = $1
  AND ($2::text IS NULL OR status = $2)
  AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))
ORDER BY created_at DESC, id DESC
LIMIT $5
"""
LIST_ATTEMPTS = """
SELECT delivery_id, attempted_at, duration_ms, status_code, error
FROM webhook_delivery_attempts
WHERE delivery_id = ANY($1::uuid[])
ORDER BY delivery_id, id
"""
GET_DELIVERY = """
SELECT id, webhook_id, event_type, status, attempts, next_attempt_at, last_error, last_status_code,
    created_at, delivered_at, correlation_id, payload
FROM webhook_deliveries WHERE id = $1 AND webhook_id = $2
"""
# An in-flight delivery is left alone: resetting it could send it twice at once.
REDELIVER = """
UPDATE webhook_deliveries
SET status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = NULL,
    updated_at = now()
WHERE id = $1 AND webhook_id = $2 AND status <> 'in_flight'
RETURNING id, webhook_id, event_type, status, attempts, next_attempt_at, last_error,
    last_status_code, created_at, delivered_at, correlation_id, payload
"""


class PostgresWebhooksRepository:
    """Bound to a pool: each method is one short statement (or two reads)."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def create(
        self, url: str, event_types: list[IntegrationEventType], secret: SecretStr
    ) -> Webhook:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                INSERT, uuid.uuid4(), url, event_types, secret.get_secret_value()
            )
        return Webhook.model_validate(dict(row))

    async def list_all(self) -> list[Webhook]:
        async with self._pool.acquire() as conn:
            return [Webhook.model_validate(dict(r)) for r in await conn.fetch(LIST)]

    async def get(self, webhook_id: uuid.UUID) -> Webhook | None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(GET, webhook_id)
        return Webhook.model_validate(dict(row)) if row is not None else None

    async def delete(self, webhook_id: uuid.UUID) -> bool:
        """Delete the webhook and (by cascade) its deliveries; False if it did not exist."""
        async with self._pool.acquire() as conn:
            result: str = await conn.execute(DELETE, webhook_id)
        return result.split()[-1] != "0"

    async def list_deliveries(
        self, webhook_id: uuid.UUID, where: DeliveryFilter, limit: int
    ) -> list[WebhookDelivery]:
        """Newest first, each with `attempts_log`: every attempt in order."""
        after_at, after_id = where.after if where.after else (None, None)
        async with self._pool.acquire() as conn:
            rows = [
                dict(r)
                for r in await conn.fetch(
                    LIST_DELIVERIES, webhook_id, where.status, after_at, after_id, limit
                )
            ]
            await _attach_attempts(conn, rows)
        return [WebhookDelivery.model_validate(r) for r in rows]

    async def get_delivery(
        self, webhook_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> WebhookDelivery | None:
        return await self._one_with_attempts(GET_DELIVERY, delivery_id, webhook_id)

    async def redeliver(
        self, webhook_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> WebhookDelivery | None:
        """Reset to pending with a fresh attempt budget; None if absent or in flight."""
        return await self._one_with_attempts(REDELIVER, delivery_id, webhook_id)

    async def _one_with_attempts(self, sql: str, *args: Any) -> WebhookDelivery | None:
        """The delivery row `sql` returns, with its attempts log; None if no row."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(sql, *args)
            if row is None:
                return None
            rows = [dict(row)]
            await _attach_attempts(conn, rows)
        return WebhookDelivery.model_validate(rows[0])


async def _attach_attempts(conn: Any, deliveries: list[dict[str, Any]]) -> None:
    by_delivery: dict[uuid.UUID, list[dict[str, Any]]] = {d["id"]: [] for d in deliveries}
    if by_delivery:
        for row in await conn.fetch(LIST_ATTEMPTS, list(by_delivery)):
            attempt = dict(row)
            by_delivery[attempt.pop("delivery_id")].append(attempt)
    for delivery in deliveries:
        delivery["attempts_log"] = by_delivery[delivery["id"]]
