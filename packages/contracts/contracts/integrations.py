"""Integration events: what webhooks receive (lifecycle events, alerts, survey requests).

The body of every webhook delivery is one `IntegrationEvent`. `type` is a call
event type (`call_initiated` … `hold_exceeded`), `survey_requested`, or `alert`.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from contracts.calls import Call
from contracts.enums import EventType
from contracts.events import CallEvent
from contracts.realtime import AlertMessage

SURVEY_REQUESTED = "survey_requested"
ALERT = "alert"
INTEGRATION_EVENT_TYPES: tuple[str, ...] = (*(t.value for t in EventType), SURVEY_REQUESTED, ALERT)

IntegrationEventType = Literal[
    "call_initiated",
    "call_routed",
    "call_answered",
    "call_hold",
    "call_resumed",
    "call_transferred",
    "call_ended",
    "sla_breached",
    "call_retransfer",
    "hold_exceeded",
    "survey_requested",
    "alert",
]


class IntegrationEvent(BaseModel):
    id: str = Field(description="Unique per integration event; receivers dedupe on it.")
    type: IntegrationEventType
    occurred_at: datetime
    call: Call | None = None
    event: CallEvent | None = Field(
        default=None, description="The call event (for survey_requested: the call_ended)."
    )
    alert: AlertMessage | None = None
