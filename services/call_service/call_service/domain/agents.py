"""What an event changes in its agents' running numbers.

Agents' totals are kept by the event transaction as deltas, so reading an agent
never scans calls. `release` frees the agent only if this call is still the one
it holds (decided in SQL: the agent may have taken another call meanwhile).
"""

from dataclasses import dataclass

from call_service.domain.call import CallRecord, EventFacts
from contracts.enums import AgentStatus, CallFlag, EventType

E = EventType


@dataclass(frozen=True)
class AgentChange:
    agent_id: str
    offers: int = 0
    answered: int = 0
    missed: int = 0
    wait: float = 0.0
    handled: int = 0
    handle_time: float = 0.0
    hold: float = 0.0
    short_calls: int = 0
    status: AgentStatus | None = None
    """New status holding this call (offered, on_call); None leaves it."""
    release: bool = False
    """Back to idle, if the agent still holds this call."""


def agent_changes(
    prior: CallRecord | None, after: CallRecord, facts: EventFacts
) -> list[AgentChange]:
    before = prior.agent_id if prior is not None else None
    changes: list[AgentChange] = []
    if before is not None and before != after.agent_id:
        missed = 1 if facts.type is E.CALL_RETRANSFER else 0
        changes.append(AgentChange(before, missed=missed, release=True))
    if after.agent_id is None:
        return changes
    agent = after.agent_id
    match facts.type:
        case E.CALL_ROUTED | E.CALL_TRANSFERRED:
            changes.append(AgentChange(agent, offers=1, status=AgentStatus.OFFERED))
        case E.CALL_ANSWERED:
            changes.append(
                AgentChange(
                    agent, answered=1, wait=facts.wait_time or 0.0, status=AgentStatus.ON_CALL
                )
            )
        case E.CALL_ENDED:
            changes.append(_ended(after, agent))
    return changes


def _ended(call: CallRecord, agent: str) -> AgentChange:
    if call.answered_at is None or call.end_time is None:
        return AgentChange(agent, release=True)
    return AgentChange(
        agent,
        handled=1,
        handle_time=max(0.0, (call.end_time - call.answered_at).total_seconds()),
        hold=call.hold_total,
        short_calls=1 if CallFlag.SHORT_CALL_REVIEW in call.flags else 0,
        release=True,
    )
