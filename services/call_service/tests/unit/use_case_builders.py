"""Builders for use case tests: a fake database with two queues, a clock, producer requests."""

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from call_service.domain.call import Thresholds
from call_service.service.ingest_event import IngestOptions, IngestResult, ingest_event
from call_service.service.ports import Clock, UnitOfWork, UnitOfWorkFactory
from contracts.events import EventRequest

from .domain_builders import LIMITS, T0, at
from .fakes.write_side import FakeClock, FakeDatabase

QUEUE = "medical_spanish"
OTHER_QUEUE = "legal_english"
OTHER_LIMITS = Thresholds(
    sla_seconds=60, no_answer_seconds=20, max_hold_seconds=120, short_call_seconds=5
)
_REQUEST: TypeAdapter[EventRequest] = TypeAdapter(EventRequest)

__all__ = ["LIMITS", "OTHER_LIMITS", "OTHER_QUEUE", "QUEUE", "T0", "World", "at", "request"]


def request(
    kind: str,
    call_id: str = "c1",
    *,
    event_id: str | None = None,
    timestamp: datetime | None = None,
    **data: Any,
) -> EventRequest:
    """A producer's event, validated as the API validates it."""
    body: dict[str, Any] = {"type": kind, "call_id": call_id, "data": data}
    if event_id is not None:
        body["event_id"] = event_id
    if timestamp is not None:
        body["timestamp"] = timestamp
    return _REQUEST.validate_python(body)


def initiated(call_id: str = "c1", queue_id: str = QUEUE, **fields: Any) -> EventRequest:
    return request("call_initiated", call_id, media="voice", queue_id=queue_id, **fields)


class World:
    """A fake database with the two queues above, a clock standing at T0, and shortcuts."""

    def __init__(self, webhook_types: tuple[str, ...] = ()) -> None:
        self.db = FakeDatabase({QUEUE: LIMITS, OTHER_QUEUE: OTHER_LIMITS}, webhook_types)
        self.clock = FakeClock(T0)
        # The fakes stand where the use cases expect the ports: a mismatch is a type error.
        self.uow_factory: UnitOfWorkFactory = self.db.unit_of_work
        self.clock_port: Clock = self.clock
        self.a_unit_of_work: UnitOfWork = self.db.unit_of_work()

    async def ingest(
        self, event: EventRequest, options: IngestOptions | None = None
    ) -> IngestResult:
        return await ingest_event(
            self.uow_factory, self.clock_port, event, options or IngestOptions()
        )

    async def open_call(
        self, call_id: str = "c1", seconds: float = 0, queue_id: str = QUEUE
    ) -> IngestResult:
        """`call_initiated` for `call_id`, dated and received at T0 + `seconds`."""
        return await self.ingest_at(
            seconds, "call_initiated", call_id, media="voice", queue_id=queue_id
        )

    async def ingest_at(
        self, seconds: float, event_type: str, call_id: str = "c1", **data: Any
    ) -> IngestResult:
        """Move the clock to T0 + `seconds` and ingest an event dated then."""
        self.clock.set(at(seconds))
        return await self.ingest(request(event_type, call_id, timestamp=at(seconds), **data))
