"""What the webhook use cases need: the integration outbox, the delivery queue, HTTP.

Dispatch fans integration events out into deliveries (`IntegrationFanOut`); the
sender claims deliveries (`DeliveryQueue`), POSTs each signed (`WebhookTransport`,
`HeaderSigner`) and reports every attempt (`AttemptReport`).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

AttemptStatus = Literal["in_flight", "delivered", "dead"]
"""Where an attempt leaves its delivery: `in_flight` while attempts remain."""
REQUEST_FAILED = "request failed"
"""The attempts log's error for a request that could not be made at all."""


@dataclass(frozen=True)
class DispatchResult:
    rows: int
    """Integration events dispatched."""
    deliveries: int
    """Deliveries created for them (one per subscribed webhook)."""


@dataclass(frozen=True)
class ClaimedDelivery:
    id: uuid.UUID
    webhook_id: uuid.UUID
    url: str
    secret: str
    event_type: str
    payload: dict[str, Any]
    attempts: int
    """Attempts already made (by this or an earlier claim)."""
    correlation_id: str | None

    def __repr__(self) -> str:  # never print the secret
        return f"ClaimedDelivery(id={self.id}, webhook_id={self.webhook_id})"


@dataclass(frozen=True)
class AttemptOutcome:
    """One HTTP attempt: when, how long, and the status code or the transport error."""

    attempted_at: datetime
    duration_ms: float
    status_code: int | None
    error: str | None


@dataclass(frozen=True)
class PostResult:
    """What one POST came to: the answer's status code, or why there was none."""

    status_code: int | None
    error: str | None = None
    """What kind of transport failure it was, safe for the attempts log."""
    detail: str | None = None
    """The failure's details (`Connection refused`, the refused address): the log only."""


class IntegrationFanOut(Protocol):
    """The integration outbox, turned into deliveries."""

    async def dispatch(self, batch_size: int) -> DispatchResult:
        """Fan out up to `batch_size` undispatched events: one delivery per subscribed webhook.

        Each event is marked dispatched in the same step, and events another worker
        is dispatching are skipped: an event is never fanned out twice.
        """

    async def purge_dispatched(self, retention_s: float) -> int:
        """Delete events dispatched longer ago than `retention_s` (each delivery keeps its
        own copy of the payload); how many were deleted."""


class DeliveryQueue(Protocol):
    """Deliveries waiting to be sent, claimed with a lease so one worker sends each."""

    async def claim(
        self,
        free_slots: dict[uuid.UUID, int],
        slots_per_webhook: int,
        limit: int,
        lease_s: float,
    ) -> list[ClaimedDelivery]:
        """Take due deliveries: per webhook at most its free slots (default
        `slots_per_webhook`), `limit` in all, each leased for `lease_s`."""

    async def record_attempt(
        self, delivery_id: uuid.UUID, outcome: AttemptOutcome, status: AttemptStatus
    ) -> None:
        """Log the attempt and move the delivery to `status`."""

    async def release(self, delivery_ids: list[uuid.UUID]) -> None:
        """Hand deliveries a stopping worker did not finish back to the queue, due now."""


class WebhookTransport(Protocol):
    """HTTP to the receivers: a host name is connected to only at addresses it checked."""

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> PostResult:
        """One POST within the attempt timeout; redirects are not followed. Never raises
        for the receiver's failure (refused, timed out, not allowed): that is the result."""


class HeaderSigner(Protocol):
    """The headers of one attempt, signed with the webhook's secret (webhooks/signing.py)."""

    def __call__(
        self, secret: str, timestamp: int, body: bytes, delivery_id: str, event_type: str
    ) -> dict[str, str]: ...


class AttemptReport(Protocol):
    """Where the sender tells the operator about each attempt (logs, metrics)."""

    def transport_failed(self, delivery: ClaimedDelivery, detail: str) -> None:
        """An attempt failed below HTTP; `detail` is for the operator only."""

    def recorded(
        self,
        delivery: ClaimedDelivery,
        number: int,
        outcome: AttemptOutcome,
        status: AttemptStatus,
    ) -> None:
        """Attempt `number` of the delivery is stored with the status it left."""
