"""Operator-facing bodies."""

from pydantic import BaseModel, Field


class OutboxStatus(BaseModel):
    pending: int = Field(description="Rows not yet published to Redis.")
    oldest_pending_age_s: float | None = Field(
        description="Age in seconds of the oldest pending row; null when none is pending."
    )
    published_last_minute: int
    failing: int = Field(description="Pending rows whose last publish attempt failed.")
