"""POST /api/events/batch: one result per event, as the single endpoint would answer."""

from pydantic import BaseModel, ConfigDict, Field

from contracts.calls import EventAccepted
from contracts.events import EventRequest
from contracts.problems import Problem

MAX_BATCH_EVENTS = 500


class BatchRequest(BaseModel):
    """Each event is validated on its own: a bad one gets a 422 in its result slot."""

    model_config = ConfigDict(extra="forbid")

    events: list[EventRequest] = Field(min_length=1, max_length=MAX_BATCH_EVENTS)


class BatchResult(BaseModel):
    status: int = Field(description="The status POST /api/events would have given this event.")
    body: EventAccepted | Problem


class BatchResults(BaseModel):
    results: list[BatchResult] = Field(description="In the order of the request's events.")
