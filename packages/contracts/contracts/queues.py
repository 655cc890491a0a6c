"""Queues: the per-queue thresholds the rules and the KPIs read, and their admin bodies."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from contracts.identifiers import MAX_SECONDS, QueueId, printable

QueueName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
    AfterValidator(printable),
]
# A threshold a timer waits for: zero would fire at once, so it must be positive.
PositiveSeconds = Annotated[float, Field(gt=0, le=MAX_SECONDS, allow_inf_nan=False)]
# A "shorter than" threshold: zero switches the rule off.
CutoffSeconds = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]
Ratio = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]

_DESCRIPTIONS = {
    "sla_seconds": "An answer after this many seconds of waiting misses the SLA.",
    "no_answer_seconds": "A routed call not answered within this is rerouted.",
    "max_hold_seconds": "A hold longer than this raises hold_exceeded.",
    "short_call_seconds": "A call shorter than this is flagged for review; 0 disables.",
    "short_abandon_seconds": (
        "An abandon within this many seconds of the start is a short abandon, left out "
        "of service level and abandonment rate; 0 disables."
    ),
    "service_level_includes_abandoned": (
        "Service level counts abandons (less short abandons) in its denominator; "
        "false: answered calls only."
    ),
    "service_level_target": "The service level the queue aims for, a ratio in (0, 1].",
}


class Queue(BaseModel):
    id: str
    name: str
    sla_seconds: float = Field(description=_DESCRIPTIONS["sla_seconds"])
    no_answer_seconds: float = Field(description=_DESCRIPTIONS["no_answer_seconds"])
    max_hold_seconds: float = Field(description=_DESCRIPTIONS["max_hold_seconds"])
    short_call_seconds: float = Field(description=_DESCRIPTIONS["short_call_seconds"])
    short_abandon_seconds: float = Field(description=_DESCRIPTIONS["short_abandon_seconds"])
    service_level_includes_abandoned: bool = Field(
        description=_DESCRIPTIONS["service_level_includes_abandoned"]
    )
    service_level_target: float = Field(description=_DESCRIPTIONS["service_level_target"])
    created_at: datetime
    updated_at: datetime


class QueueList(BaseModel):
    data: list[Queue]


class QueueCreate(BaseModel):
    """POST /api/queues. Thresholds left out take the service's defaults for new queues."""

    model_config = ConfigDict(extra="forbid")

    id: QueueId
    name: QueueName
    sla_seconds: PositiveSeconds | None = None
    no_answer_seconds: PositiveSeconds | None = None
    max_hold_seconds: PositiveSeconds | None = None
    short_call_seconds: CutoffSeconds | None = None
    short_abandon_seconds: CutoffSeconds = 5
    service_level_includes_abandoned: bool = True
    service_level_target: Ratio = 0.8


class QueuePatch(BaseModel):
    """PATCH /api/queues/{id}: the fields to change; at least one, none of them null.

    `SkipJsonSchema[None]` keeps the None default out of the published schema, so
    clients see that a field is optional, not nullable.
    """

    model_config = ConfigDict(extra="forbid")

    name: QueueName | SkipJsonSchema[None] = None
    sla_seconds: PositiveSeconds | SkipJsonSchema[None] = None
    no_answer_seconds: PositiveSeconds | SkipJsonSchema[None] = None
    max_hold_seconds: PositiveSeconds | SkipJsonSchema[None] = None
    short_call_seconds: CutoffSeconds | SkipJsonSchema[None] = None
    short_abandon_seconds: CutoffSeconds | SkipJsonSchema[None] = None
    service_level_includes_abandoned: bool | SkipJsonSchema[None] = None
    service_level_target: Ratio | SkipJsonSchema[None] = None

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out but not null")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, by name."""
        return self.model_dump(exclude_unset=True)

    @model_validator(mode="after")
    def _something_to_change(self) -> "QueuePatch":
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self
