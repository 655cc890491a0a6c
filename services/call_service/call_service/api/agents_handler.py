"""GET /api/agents and GET /api/agents/{agent_id}: running numbers kept per event."""

from aiohttp import web

from call_service.api.app_keys import AGENT_READS
from call_service.api.auth import require_scope
from call_service.api.openapi import Route, operation, path_parameter
from call_service.api.problems import ProblemError
from call_service.api.responses import json_model
from call_service.service import agent_queries
from contracts.alerts import AgentList
from contracts.enums import Scope


async def list_agents(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    return json_model(AgentList(data=await agent_queries.list_agents(request.app[AGENT_READS])))


async def get_agent(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    agent_id = request.match_info["agent_id"]
    agent = await agent_queries.get_agent(request.app[AGENT_READS], agent_id)
    if agent is None:
        raise ProblemError(404, "Agent not found", "No agent has that id.")
    return json_model(agent)


ROUTES = [
    Route(
        "GET",
        "/api/agents",
        list_agents,
        operation("Every agent's numbers (scope calls:read)", "AgentList"),
    ),
    Route(
        "GET",
        "/api/agents/{agent_id}",
        get_agent,
        operation(
            "One agent's state and numbers (scope calls:read)",
            "Agent",
            parameters=[path_parameter("agent_id")],
            errors=(404,),
        ),
    ),
]
