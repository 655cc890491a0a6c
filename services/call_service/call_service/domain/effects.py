"""Everything an accepted event sets in motion besides the call's own new state.

One pure decision, so the producer path and the timer path apply exactly the
same rules: timers to arm or cancel, supervisor alerts, agents' numbers, and the
integration events for webhooks. A backfilled event (history import) arms no
timer, raises no alert and requests no survey; agents' numbers still count it.
"""

from dataclasses import dataclass, field

from call_service.domain.agents import AgentChange, agent_changes
from call_service.domain.alerts import AlertSpec, alerts_raised
from call_service.domain.call import CallRecord, EventFacts, Thresholds
from call_service.domain.timers import TimerPlan, timer_plan
from contracts.enums import EndReason, EventType


@dataclass(frozen=True)
class Effects:
    timers: TimerPlan = field(default_factory=TimerPlan)
    alerts: list[AlertSpec] = field(default_factory=list)
    agents: list[AgentChange] = field(default_factory=list)
    survey_requested: bool = False


def effects_of(
    prior: CallRecord | None,
    after: CallRecord,
    facts: EventFacts,
    thresholds: Thresholds,
    *,
    backfill: bool = False,
) -> Effects:
    agents = agent_changes(prior, after, facts)
    if backfill:
        return Effects(agents=agents)
    return Effects(
        timers=timer_plan(facts, thresholds),
        alerts=alerts_raised(prior, after, facts, thresholds),
        agents=agents,
        survey_requested=(
            facts.type is EventType.CALL_ENDED and facts.end_reason == EndReason.COMPLETED
        ),
    )
