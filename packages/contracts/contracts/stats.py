"""GET /api/stats: contact-center KPIs per queue and overall, over a window of start times.

Ratios are 0..1 and durations are seconds; a KPI with nothing to divide by (no
answered call for ASA, no handled call for AHT …) is null. The formulas are in
docs/kpis.md.
"""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class StatsWindow(BaseModel):
    """The half-open interval [from, to) that the call's `start_time` must fall in."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: datetime = Field(alias="from", description="Inclusive start (UTC).")
    to: datetime = Field(description="Exclusive end (UTC).")


class QueueStats(BaseModel):
    queue_id: str | None = Field(description="The queue; null for the overall totals.")
    waiting_now: int = Field(description="Calls waiting or routed right now (any start time).")
    longest_current_wait_s: float | None = Field(
        description="Seconds since the start of the oldest call waiting now; null when none."
    )
    offered: int = Field(description="Calls whose start_time lies in the window.")
    answered: int
    abandoned: int = Field(description="Ended as abandoned without ever being answered.")
    short_abandons: int = Field(
        description="Abandoned within the queue's short_abandon_seconds of the start."
    )
    answered_within_sla: int
    service_level: float | None = Field(
        description="answered within SLA / (answered + abandoned - short abandons), "
        "or / answered when the queue excludes abandons."
    )
    asa_s: float | None = Field(description="Average speed of answer: wait / answered.")
    aht_s: float | None = Field(
        description="Average handle time: (talk + hold) / handled (answered and ended)."
    )
    abandonment_rate: float | None = Field(description="(abandoned - short abandons) / offered.")
    average_hold_s: float | None = Field(description="Hold time of handled calls / handled.")
    transfer_rate: float | None = Field(
        description="Handled calls transferred at least once / handled."
    )


class Stats(BaseModel):
    window: StatsWindow
    generated_at: datetime
    overall: QueueStats = Field(description="All the queues below, taken together.")
    queues: list[QueueStats]
