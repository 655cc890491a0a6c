"""Webhook administration: register, list, read and delete receivers; inspect deliveries
and send one again.

The secret is chosen here when the registration brings none, and is handed back
once, in the registration's answer; no other read returns it.
"""

import secrets
import uuid
from collections.abc import Callable
from enum import Enum

from pydantic import SecretStr

from call_service.service.keyset import Page, read_page
from call_service.service.read_filters import DeliveryFilter
from call_service.service.read_ports import WebhookRegistry
from contracts.webhooks import Webhook, WebhookCreate, WebhookCreated, WebhookDelivery


def new_secret() -> str:
    """A signing secret of 32 random bytes (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


async def register_webhook(
    registry: WebhookRegistry, body: WebhookCreate, make_secret: Callable[[], str] = new_secret
) -> WebhookCreated:
    """Store the webhook; the answer is the only one that carries its secret.

    The target URL is checked by the caller before (it needs the API's resolver).
    """
    secret = body.secret or SecretStr(make_secret())
    webhook = await registry.create(body.url, list(body.event_types), secret)
    return WebhookCreated.model_validate(
        {**webhook.model_dump(), "secret": secret.get_secret_value()}
    )


async def list_webhooks(registry: WebhookRegistry) -> list[Webhook]:
    return await registry.list_all()


async def get_webhook(registry: WebhookRegistry, webhook_id: uuid.UUID) -> Webhook | None:
    return await registry.get(webhook_id)


async def delete_webhook(registry: WebhookRegistry, webhook_id: uuid.UUID) -> bool:
    """False when there was no such webhook."""
    return await registry.delete(webhook_id)


async def list_deliveries(
    registry: WebhookRegistry, webhook_id: uuid.UUID, where: DeliveryFilter, page_size: int
) -> Page[WebhookDelivery] | None:
    """A page of the webhook's deliveries, newest first; None when the webhook does not exist."""
    if await registry.get(webhook_id) is None:
        return None
    return await read_page(
        lambda limit: registry.list_deliveries(webhook_id, where, limit),
        page_size,
        lambda delivery: (delivery.created_at, str(delivery.id)),
    )


class RedeliveryRefused(Enum):
    NOT_FOUND = "not_found"
    IN_FLIGHT = "in_flight"
    """Being sent right now: retry once that attempt has finished."""


async def redeliver(
    registry: WebhookRegistry, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery | RedeliveryRefused:
    """The delivery, pending again with a fresh attempt budget, or why it cannot be."""
    delivery = await registry.redeliver(webhook_id, delivery_id)
    if delivery is not None:
        return delivery
    if await registry.get_delivery(webhook_id, delivery_id) is None:
        return RedeliveryRefused.NOT_FOUND
    return RedeliveryRefused.IN_FLIGHT
