"""Read use cases of agents: every agent's running numbers, or one agent's."""

from call_service.service.read_ports import AgentReads
from contracts.alerts import Agent

MAX_AGENTS_LISTED = 500
"""GET /api/agents answers at most this many agents, in id order."""


async def list_agents(reads: AgentReads) -> list[Agent]:
    return await reads.list_agents(MAX_AGENTS_LISTED)


async def get_agent(reads: AgentReads, agent_id: str) -> Agent | None:
    return await reads.get_agent(agent_id)
