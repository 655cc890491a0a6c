"""GET /api/agents and GET /api/agents/{agent_id}: running numbers kept per event."""

from aiohttp import web

from call_service.api.auth import require_scope
from call_service.api.problems import ProblemError
from call_service.api.state import AGENT_READS
from contracts.alerts import AgentList
from contracts.enums import Scope


async def list_agents(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    body = AgentList(data=await request.app[AGENT_READS].list())
    return web.Response(text=body.model_dump_json(), content_type="application/json")


async def get_agent(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    agent = await request.app[AGENT_READS].get(request.match_info["agent_id"])
    if agent is None:
        raise ProblemError(404, "Agent not found", "No agent has that id.")
    return web.Response(text=agent.model_dump_json(), content_type="application/json")
