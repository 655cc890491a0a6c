"""Event requests (a discriminated union on `type`) and the stored CallEvent.

Every payload forbids unknown fields so a producer's typo is a 422 naming the
field, not a silently ignored value.
"""

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.enums import EndReason, EventType, Media
from contracts.identifiers import AgentId, CallId, EventId, QueueId, Seconds
from contracts.times import Instant


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallInitiatedData(_Payload):
    media: Media
    queue_id: QueueId


class CallRoutedData(_Payload):
    agent_id: AgentId
    routing_time: Seconds


class CallAnsweredData(_Payload):
    wait_time: Seconds


class CallHoldData(_Payload):
    hold_duration: Seconds | None = None


class CallResumedData(_Payload):
    pass


class CallTransferredData(_Payload):
    to_agent_id: AgentId | None = None
    to_queue_id: QueueId | None = None

    @model_validator(mode="after")
    def _exactly_one_target(self) -> Self:
        if (self.to_agent_id is None) == (self.to_queue_id is None):
            raise ValueError("exactly one of to_agent_id and to_queue_id is required")
        return self


class CallEndedData(_Payload):
    end_reason: EndReason
    duration: Seconds


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: EventId | None = Field(
        default=None, description="Producer's id for the event; the idempotency key."
    )
    call_id: CallId
    timestamp: Instant | None = Field(
        default=None,
        description=(
            "When the event happened at the producer (RFC 3339 with offset, from 1970 on, at"
            " most MAX_FUTURE_SKEW_SECONDS ahead of the server's clock). Default: time received."
        ),
    )


class CallInitiatedRequest(_Request):
    type: Literal[EventType.CALL_INITIATED]
    data: CallInitiatedData


class CallRoutedRequest(_Request):
    type: Literal[EventType.CALL_ROUTED]
    data: CallRoutedData


class CallAnsweredRequest(_Request):
    type: Literal[EventType.CALL_ANSWERED]
    data: CallAnsweredData


class CallHoldRequest(_Request):
    type: Literal[EventType.CALL_HOLD]
    data: CallHoldData = Field(default_factory=CallHoldData)


class CallResumedRequest(_Request):
    type: Literal[EventType.CALL_RESUMED]
    data: CallResumedData = Field(default_factory=CallResumedData)


class CallTransferredRequest(_Request):
    type: Literal[EventType.CALL_TRANSFERRED]
    data: CallTransferredData


class CallEndedRequest(_Request):
    type: Literal[EventType.CALL_ENDED]
    data: CallEndedData


EventRequest = Annotated[
    CallInitiatedRequest
    | CallRoutedRequest
    | CallAnsweredRequest
    | CallHoldRequest
    | CallResumedRequest
    | CallTransferredRequest
    | CallEndedRequest,
    Field(discriminator="type"),
]


class CallEvent(BaseModel):
    """One entry of a call's audit log, as stored and as published."""

    id: str = Field(description="Server-assigned id (UUID).")
    event_id: str | None = Field(description="The producer's idempotency key, if it sent one.")
    call_id: str
    seq: int = Field(ge=1, description="Position in the call's log: 1, 2, 3 … with no gaps.")
    type: EventType
    timestamp: datetime
    received_at: datetime
    data: dict[str, Any]
