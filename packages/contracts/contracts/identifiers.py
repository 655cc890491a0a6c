"""Bounded identifier types: every id and string that crosses the API has a limit."""

from typing import Annotated

from pydantic import Field, StringConstraints

CallId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
]
QueueId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
]
AgentId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")
]
EventId = Annotated[str, StringConstraints(min_length=1, max_length=128)]

# Durations are seconds; a week is far beyond any real call and keeps sums bounded.
MAX_SECONDS = 7 * 24 * 3600
Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]
