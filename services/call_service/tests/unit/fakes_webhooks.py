"""In-memory fakes of the webhook worker's ports (service/webhook_ports.py) and a clock."""

import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from call_service.service.webhook_ports import (
    AttemptOutcome,
    AttemptStatus,
    ClaimedDelivery,
    DispatchResult,
    PostResult,
)

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


class SteppingClock:
    """Starts at `start` and moves `step` forward every time it is read."""

    def __init__(self, start: datetime = T0, step: timedelta = timedelta(milliseconds=40)) -> None:
        self.current = start
        self.step = step

    def now(self) -> datetime:
        now = self.current
        self.current += self.step
        return now


class NoLookups:
    """A `HostResolver` for checks that must not look anything up."""

    def __init__(self) -> None:
        self.lookups: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@dataclass
class Post:
    url: str
    body: bytes
    headers: dict[str, str]


class ScriptedTransport:
    """Answers each POST with the next result of `answers` (the last one repeats)."""

    def __init__(self, *answers: PostResult) -> None:
        self.answers = list(answers)
        self.posts: list[Post] = []

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> PostResult:
        self.posts.append(Post(url, body, headers))
        return self.answers[min(len(self.posts), len(self.answers)) - 1]


@dataclass
class Signature:
    secret: str
    timestamp: int
    body: bytes
    delivery_id: str
    event_type: str


class RecordingSigner:
    def __init__(self) -> None:
        self.signed: list[Signature] = []

    def __call__(
        self, secret: str, timestamp: int, body: bytes, delivery_id: str, event_type: str
    ) -> dict[str, str]:
        self.signed.append(Signature(secret, timestamp, body, delivery_id, event_type))
        return {"X-Webhook-Timestamp": str(timestamp), "X-Webhook-Signature": f"sig-{timestamp}"}


@dataclass
class RecordedAttempt:
    delivery_id: uuid.UUID
    outcome: AttemptOutcome
    status: AttemptStatus


@dataclass
class FakeDeliveryQueue:
    due: list[ClaimedDelivery] = field(default_factory=list)
    attempts: list[RecordedAttempt] = field(default_factory=list)
    released: list[uuid.UUID] = field(default_factory=list)

    async def claim(
        self,
        free_slots: dict[uuid.UUID, int],
        slots_per_webhook: int,
        limit: int,
        lease_s: float,
    ) -> list[ClaimedDelivery]:
        claimed, self.due = self.due[:limit], self.due[limit:]
        return claimed

    async def record_attempt(
        self, delivery_id: uuid.UUID, outcome: AttemptOutcome, status: AttemptStatus
    ) -> None:
        self.attempts.append(RecordedAttempt(delivery_id, outcome, status))

    async def release(self, delivery_ids: list[uuid.UUID]) -> None:
        self.released.extend(delivery_ids)


@dataclass
class RecordingReport:
    transport_details: list[str] = field(default_factory=list)
    statuses: list[tuple[int, AttemptStatus]] = field(default_factory=list)
    """(attempt number, status) of every recorded attempt."""

    def transport_failed(self, delivery: ClaimedDelivery, detail: str) -> None:
        self.transport_details.append(detail)

    def recorded(
        self,
        delivery: ClaimedDelivery,
        number: int,
        outcome: AttemptOutcome,
        status: AttemptStatus,
    ) -> None:
        self.statuses.append((number, status))


class FakeFanOut:
    """Integration events waiting, and which webhooks subscribe to which types."""

    def __init__(self, subscribers: dict[str, list[uuid.UUID]]) -> None:
        self.subscribers = subscribers
        self.waiting: list[tuple[str, dict[str, Any]]] = []
        self.deliveries: list[tuple[uuid.UUID, dict[str, Any]]] = []

    async def dispatch(self, batch_size: int) -> DispatchResult:
        batch, self.waiting = self.waiting[:batch_size], self.waiting[batch_size:]
        created = [(w, payload) for t, payload in batch for w in self.subscribers.get(t, [])]
        self.deliveries.extend(created)
        return DispatchResult(rows=len(batch), deliveries=len(created))

    async def purge_dispatched(self, retention_s: float) -> int:
        return 0


class CountingWakeup:
    def __init__(self) -> None:
        self.pokes = 0

    async def wait(self) -> None:
        return None

    def poke(self) -> None:
        self.pokes += 1


class RecordingSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def a_delivery(url: str = "https://crm.example.com/hooks", attempts: int = 0) -> ClaimedDelivery:
    return ClaimedDelivery(
        id=uuid.uuid4(),
        webhook_id=uuid.uuid4(),
        url=url,
        secret="a-secret-of-sixteen+",
        event_type="survey_requested",
        payload={"id": "ev-1", "type": "survey_requested", "note": "café"},
        attempts=attempts,
        correlation_id="corr-1",
    )
