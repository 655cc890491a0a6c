"""What the read and admin use cases need from the outside world, as Protocols.

The write path's ports are in ports.py. Every list method returns at most `limit`
rows in the list's newest-first (or id) order; the use cases ask for one more
than a page (service/keyset.py).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import SecretStr

from call_service.domain.kpis import WindowCounts
from call_service.service.read_filters import AlertFilters, CallFilters, DeliveryFilter
from contracts.alerts import Agent, Alert
from contracts.calls import Call
from contracts.events import CallEvent
from contracts.integrations import IntegrationEventType
from contracts.ops import OutboxStatus
from contracts.queues import Queue, QueueCreate, QueuePatch
from contracts.webhooks import Webhook, WebhookDelivery


class CallReads(Protocol):
    async def list_calls(self, filters: CallFilters, limit: int) -> list[Call]:
        """Newest `start_time` first (ties: highest id first)."""

    async def get_call(self, call_id: str) -> Call | None: ...

    async def list_events(self, call_id: str) -> list[CallEvent] | None:
        """The call's audit log in seq order, or None when the call does not exist.

        Existence and events come from one snapshot, so a call created meanwhile is
        never reported with an empty log.
        """


class AlertReads(Protocol):
    """Supervisor alerts: listed, and acknowledged (the one change a reader makes)."""

    async def list_alerts(self, filters: AlertFilters, limit: int) -> list[Alert]:
        """Newest `at` first (ties: highest id first)."""

    async def acknowledge(self, alert_id: str, at: datetime, by: str) -> Alert | None:
        """Idempotent: the first acknowledgement's time and author are kept; None if absent."""


class AgentReads(Protocol):
    async def list_agents(self, limit: int) -> list[Agent]:
        """In agent id order."""

    async def get_agent(self, agent_id: str) -> Agent | None: ...


@dataclass(frozen=True)
class QueueWindow:
    """One queue's KPI inputs for a window, and what is waiting in it now."""

    queue_id: str
    includes_abandoned: bool
    counts: WindowCounts
    waiting_now: int
    oldest_waiting_since: datetime | None


class StatsReads(Protocol):
    async def queue_windows(
        self, start: datetime, end: datetime, queue_id: str | None
    ) -> list[QueueWindow]:
        """Counts of the calls with start <= start_time < end, per queue in id order.

        Every queue, or only `queue_id`; an empty list then means it does not exist.
        The per-call definitions the counts apply are documented in domain/kpis.py.
        """


class QueueAdmin(Protocol):
    async def list_queues(self) -> list[Queue]:
        """In id order."""

    async def get_queue(self, queue_id: str) -> Queue | None: ...

    async def create_queue(self, new: QueueCreate) -> Queue | None:
        """Insert a queue whose thresholds are all set; None (nothing changed) if the id is used."""

    async def patch_queue(self, queue_id: str, patch: QueuePatch) -> Queue | None:
        """Apply the fields the client sent; None when there is no such queue."""


class QueueThresholdsCache(Protocol):
    """This process's short-lived copy of queue thresholds (the write path reads it)."""

    def forget(self, queue_id: str) -> None:
        """Drop the queue's entry, so the next event reads its thresholds afresh."""


class WebhookRegistry(Protocol):
    """Webhook subscriptions and their deliveries. No method returns a secret."""

    async def create(
        self, url: str, event_types: list[IntegrationEventType], secret: SecretStr
    ) -> Webhook: ...

    async def list_all(self) -> list[Webhook]:
        """Oldest first."""

    async def get(self, webhook_id: uuid.UUID) -> Webhook | None: ...

    async def delete(self, webhook_id: uuid.UUID) -> bool:
        """Delete the webhook and its deliveries; False if it did not exist."""

    async def list_deliveries(
        self, webhook_id: uuid.UUID, where: DeliveryFilter, limit: int
    ) -> list[WebhookDelivery]:
        """Newest `created_at` first (ties: highest id first), each with every attempt."""

    async def get_delivery(
        self, webhook_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> WebhookDelivery | None: ...

    async def redeliver(
        self, webhook_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> WebhookDelivery | None:
        """Pending again with a fresh attempt budget; None if absent or in flight.

        An in-flight delivery is left alone: resetting it could send it twice at once.
        """


class OutboxStatusReads(Protocol):
    async def outbox_status(self) -> OutboxStatus:
        """The relay's backlog as the outbox table shows it now."""
