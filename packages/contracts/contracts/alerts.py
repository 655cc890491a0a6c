"""Supervisor alerts and agents, as the REST API returns them."""

from datetime import datetime

from pydantic import BaseModel, Field

from contracts.enums import AgentStatus, AlertKind


class Alert(BaseModel):
    id: str
    kind: AlertKind
    call_id: str | None
    queue_id: str | None
    agent_id: str | None
    at: datetime
    detail: str
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = Field(
        default=None, description="Label of the API key that acknowledged (not the key)."
    )


class AlertPage(BaseModel):
    data: list[Alert]
    next_cursor: str | None


class Agent(BaseModel):
    id: str
    status: AgentStatus
    current_call_id: str | None
    offers: int
    answered: int
    missed: int = Field(description="Offers not answered within the no-answer time.")
    answer_rate: float | None = Field(description="answered / offers; null with no offers.")
    average_wait_s: float | None = Field(description="Mean wait of the calls they answered.")
    handled: int
    average_handle_s: float | None = Field(description="Mean answer → end, hold included.")
    hold_total_s: float
    short_calls: int
    updated_at: datetime


class AgentList(BaseModel):
    data: list[Agent]
