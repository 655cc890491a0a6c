"""The route table of the call service: every endpoint, declared once by its module.

app.py serves these routes and builds the OpenAPI document from the same list, so an
endpoint cannot be served without being documented (or the other way round).
"""

from pydantic import BaseModel

from call_service.api import (
    agents_handler,
    alerts_handler,
    batch_handler,
    calls_handler,
    events_handler,
    ops_handler,
    queues_handler,
    stats_handler,
    webhooks_routes,
)
from call_service.api.openapi import Route
from contracts.alerts import Agent, AgentList, Alert, AlertPage
from contracts.batch import BatchRequest, BatchResults
from contracts.calls import Call, CallEventList, CallPage, EventAccepted
from contracts.ops import OutboxStatus
from contracts.problems import Problem

API_ROUTES: list[Route] = [
    *events_handler.ROUTES,
    *batch_handler.ROUTES,
    *calls_handler.ROUTES,
    *alerts_handler.ROUTES,
    *agents_handler.ROUTES,
    *ops_handler.ROUTES,
    *webhooks_routes.ROUTES,
    *queues_handler.ROUTES,
    *stats_handler.ROUTES,
]
MODELS: list[type[BaseModel]] = [
    Call,
    CallPage,
    CallEventList,
    EventAccepted,
    OutboxStatus,
    Problem,
    Alert,
    AlertPage,
    Agent,
    AgentList,
    BatchRequest,
    BatchResults,
    *webhooks_routes.MODELS,
    *queues_handler.MODELS,
    *stats_handler.MODELS,
]
"""Every model an operation names (EventRequest, a union, is added by build_openapi)."""
PROBE_SUMMARIES = {
    "/health": "Liveness",
    "/ready": "Readiness: 503 naming what is down",
    "/metrics": "Prometheus metrics",
}
