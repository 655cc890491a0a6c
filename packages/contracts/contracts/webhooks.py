"""Webhook registration and delivery bodies (`/api/webhooks`, scope `admin`).

The secret appears in exactly one body: `WebhookCreated`, the answer to the
registration. Every other read returns `Webhook`, which has no secret field.
"""

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, StringConstraints

from contracts.integrations import IntegrationEventType

MAX_URL_LENGTH = 2048
DeliveryStatus = Literal["pending", "in_flight", "delivered", "dead"]


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http:// or https:// URL with a host")
    if parts.fragment:
        raise ValueError("must not contain a #fragment")
    return value


WebhookUrl = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_URL_LENGTH, strip_whitespace=True),
    AfterValidator(_http_url),
]
# SecretStr: a request body that reaches a log or a traceback shows `**********`.
WebhookSecret = Annotated[SecretStr, StringConstraints(min_length=16, max_length=256)]


def _unique(values: list[IntegrationEventType]) -> list[IntegrationEventType]:
    return list(dict.fromkeys(values))


class WebhookCreate(BaseModel):
    """Body of `POST /api/webhooks`."""

    model_config = ConfigDict(extra="forbid")

    url: WebhookUrl = Field(description="Where deliveries are POSTed (http or https).")
    event_types: Annotated[
        list[IntegrationEventType], Field(min_length=1, max_length=64), AfterValidator(_unique)
    ] = Field(description="Integration event types to receive; duplicates are dropped.")
    secret: WebhookSecret | None = Field(
        default=None,
        description="HMAC-SHA256 signing secret, 16-256 chars. Generated when absent.",
    )


class Webhook(BaseModel):
    id: UUID
    url: str
    event_types: list[IntegrationEventType]
    created_at: datetime


class WebhookCreated(Webhook):
    """The 201 answer: the only body that ever carries the secret. Store it now."""

    secret: str


class WebhookList(BaseModel):
    data: list[Webhook]


class WebhookDeliveryAttempt(BaseModel):
    attempted_at: datetime
    duration_ms: float
    status_code: int | None = Field(description="HTTP status, null if no response came.")
    error: str | None = Field(description="Why the attempt failed; null on success.")


class WebhookDelivery(BaseModel):
    id: UUID = Field(description="Sent as X-Webhook-Id; the same on every retry and redelivery.")
    webhook_id: UUID
    event_type: IntegrationEventType
    status: DeliveryStatus
    attempts: int = Field(description="Attempts in the current budget (reset by redelivery).")
    next_attempt_at: datetime = Field(
        description="pending: when it is due; in_flight: when its worker's claim expires."
    )
    last_error: str | None
    last_status_code: int | None
    created_at: datetime
    delivered_at: datetime | None
    correlation_id: str | None
    payload: dict[str, Any] = Field(description="The IntegrationEvent sent as the body.")
    attempts_log: list[WebhookDeliveryAttempt] = Field(
        description="Every HTTP attempt ever made for this delivery, oldest first."
    )


class WebhookDeliveryPage(BaseModel):
    data: list[WebhookDelivery]
    next_cursor: str | None = Field(
        description="Opaque cursor for the next page; null on the last page."
    )


class WebhookDeliveryQuery(BaseModel):
    """Query string of `GET /api/webhooks/{id}/deliveries`."""

    model_config = ConfigDict(extra="forbid")

    status: DeliveryStatus | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: str | None = Field(
        default=None, max_length=512, description="`next_cursor` of the previous page."
    )
