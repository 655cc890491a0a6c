"""Supervisor alerts: which rule fired on this event, with a line a supervisor can read."""

from dataclasses import dataclass

from call_service.domain.call import CallRecord, EventFacts, Thresholds
from contracts.enums import AlertKind, CallFlag, EventType

_FLAG_ALERTS = {
    CallFlag.LONG_WAIT: AlertKind.LONG_WAIT,
    CallFlag.SLA_BREACHED: AlertKind.SLA_BREACHED,
    CallFlag.HOLD_EXCEEDED: AlertKind.HOLD_EXCEEDED,
    CallFlag.SHORT_CALL_REVIEW: AlertKind.SHORT_CALL_REVIEW,
}


@dataclass(frozen=True)
class AlertSpec:
    kind: AlertKind
    detail: str
    agent_id: str | None


def alerts_raised(
    prior: CallRecord | None, after: CallRecord, facts: EventFacts, thresholds: Thresholds
) -> list[AlertSpec]:
    """One alert per flag this event newly set, plus the no-answer reroute."""
    before = set(prior.flags) if prior is not None else set()
    agent = after.agent_id or (prior.agent_id if prior is not None else None)
    raised = [
        AlertSpec(_FLAG_ALERTS[flag], _detail(flag, facts, thresholds), agent)
        for flag in after.flags
        if flag not in before
    ]
    if facts.type is EventType.CALL_RETRANSFER and prior is not None:
        raised.append(
            AlertSpec(
                AlertKind.NO_ANSWER_REROUTE,
                f"agent {prior.agent_id} did not answer within "
                f"{thresholds.no_answer_seconds:g} s; the call is waiting again",
                prior.agent_id,
            )
        )
    return raised


def _detail(flag: CallFlag, facts: EventFacts, thresholds: Thresholds) -> str:
    match flag:
        case CallFlag.LONG_WAIT:
            return (
                f"answered after {facts.wait_time:g} s, over the {thresholds.sla_seconds:g} s SLA"
            )
        case CallFlag.SLA_BREACHED:
            return f"not answered within the {thresholds.sla_seconds:g} s SLA"
        case CallFlag.HOLD_EXCEEDED:
            return f"on hold longer than {thresholds.max_hold_seconds:g} s"
        case CallFlag.SHORT_CALL_REVIEW:
            return (
                f"call lasted {facts.duration:g} s, under the "
                f"{thresholds.short_call_seconds:g} s short-call threshold"
            )
