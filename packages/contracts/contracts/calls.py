"""The Call resource and the REST response bodies built around it."""

from datetime import datetime

from pydantic import BaseModel, Field

from contracts.enums import CallFlag, CallStatus, EndReason, Media
from contracts.events import CallEvent


class Call(BaseModel):
    id: str
    status: CallStatus
    queue_id: str | None
    media: Media | None
    agent_id: str | None
    start_time: datetime
    answered_at: datetime | None
    end_time: datetime | None
    end_reason: EndReason | None
    wait_time: float | None
    duration: float | None
    flags: list[CallFlag] = Field(default_factory=list)
    last_seq: int
    updated_at: datetime
    hold_started_at: datetime | None = Field(
        default=None, description="When the current hold began; null when not on hold."
    )
    hold_total: float = Field(default=0.0, description="Seconds of holds that have ended.")
    transfer_count: int = 0


class EventAccepted(BaseModel):
    """Body of 201 (accepted) and of 200 (idempotent replay of the same event)."""

    event: CallEvent
    call: Call


class CallPage(BaseModel):
    data: list[Call]
    next_cursor: str | None = Field(
        description="Opaque cursor for the next page; null on the last page."
    )


class CallEventList(BaseModel):
    data: list[CallEvent]
