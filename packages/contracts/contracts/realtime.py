"""Socket.io messages and the internal Redis envelope the relay publishes.

The envelope is internal (relay → realtime service); clients only ever see the
`call_event` and `alert` messages inside it.
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from contracts.calls import Call
from contracts.events import CallEvent

RELAY_CHANNEL = "call-lifecycle:realtime"
"""Redis pub/sub channel the relay publishes to and every realtime process reads."""

RoomName = Annotated[str, Field(min_length=1, max_length=200)]
MAX_SEQ = 2**31 - 1
"""`seq` is a PostgreSQL integer; a larger since_seq could never match and would not bind."""


class SubscribeRequest(BaseModel):
    """Also the body of `unsubscribe`, where `since_seq` is not accepted."""

    model_config = ConfigDict(extra="forbid")

    room: RoomName
    since_seq: Annotated[StrictInt, Field(ge=0, le=MAX_SEQ)] | None = Field(
        default=None,
        description=(
            "Resume a `call:<id>` room: first the call's stored events with a higher seq,"
            " then live ones, with no gap and no repeat. Only for `call:` rooms."
        ),
    )


class Ack(BaseModel):
    """Answer to `subscribe` / `unsubscribe`; absent fields are left out, not null."""

    ok: bool
    error: str | None = None
    resumed: int | None = Field(
        default=None,
        description=(
            "On a subscribe with since_seq: how many stored events were emitted"
            " (before this ack) to catch up."
        ),
    )


class CallEventMessage(BaseModel):
    """Emitted as `call_event` to `call:<id>`, `queue:<queue_id>` and `calls`."""

    event: CallEvent
    call: Call


class AlertMessage(BaseModel):
    """Emitted as `alert` to the `alerts` room."""

    id: str
    kind: str
    call_id: str | None
    queue_id: str | None
    agent_id: str | None
    at: datetime
    detail: str


class CallEventEnvelope(BaseModel):
    kind: Literal["call_event"] = "call_event"
    correlation_id: str | None = None
    queue_ids: list[str] = Field(
        default_factory=list,
        description="Every queue whose room should see the event (old and new on a transfer).",
    )
    message: CallEventMessage


class AlertEnvelope(BaseModel):
    kind: Literal["alert"] = "alert"
    correlation_id: str | None = None
    message: AlertMessage


RelayEnvelope = Annotated[CallEventEnvelope | AlertEnvelope, Field(discriminator="kind")]
