"""Alerts, agents' numbers, the survey request and the hold clock, decided per event."""

from call_service.domain.agents import AgentChange
from call_service.domain.effects import effects_of
from call_service.domain.lifecycle import apply_event
from contracts.enums import AgentStatus, AlertKind, CallFlag, CallStatus, EventType

from .domain_builders import LIMITS, a_call, at, facts

S, E = CallStatus, EventType


def test_a_long_wait_answer_raises_one_long_wait_alert_for_the_agent() -> None:
    prior = a_call(S.ROUTED)
    event = facts(E.CALL_ANSWERED, wait_time=45)
    after = apply_event(prior, event, LIMITS, at(45))
    alerts = effects_of(prior, after, event, LIMITS).alerts
    assert [(a.kind, a.agent_id) for a in alerts] == [(AlertKind.LONG_WAIT, "agent-1")]
    assert "45 s" in alerts[0].detail


def test_a_flag_already_on_the_call_raises_no_second_alert() -> None:
    prior = a_call(S.ACTIVE, flags=(CallFlag.HOLD_EXCEEDED,))
    event = facts(E.CALL_HOLD, hold_duration=90)
    after = apply_event(prior, event, LIMITS, at(1))
    assert effects_of(prior, after, event, LIMITS).alerts == []


def test_sla_breach_flags_the_call_and_alerts() -> None:
    prior = a_call(S.WAITING, agent_id=None)
    event = facts(E.SLA_BREACHED, at(30))
    after = apply_event(prior, event, LIMITS, at(30))
    assert CallFlag.SLA_BREACHED in after.flags
    assert [a.kind for a in effects_of(prior, after, event, LIMITS).alerts] == [
        AlertKind.SLA_BREACHED
    ]


def test_retransfer_counts_a_miss_frees_the_agent_and_alerts() -> None:
    prior = a_call(S.ROUTED, agent_id="a7")
    event = facts(E.CALL_RETRANSFER, at(15))
    after = apply_event(prior, event, LIMITS, at(15))
    effects = effects_of(prior, after, event, LIMITS)
    assert effects.agents == [AgentChange("a7", missed=1, release=True)]
    assert [(a.kind, a.agent_id) for a in effects.alerts] == [(AlertKind.NO_ANSWER_REROUTE, "a7")]


def test_a_new_route_offers_the_call_and_frees_the_previous_agent() -> None:
    prior = a_call(S.ROUTED, agent_id="a1")
    event = facts(E.CALL_ROUTED, agent_id="a2", routing_time=1)
    after = apply_event(prior, event, LIMITS, at(1))
    assert effects_of(prior, after, event, LIMITS).agents == [
        AgentChange("a1", release=True),
        AgentChange("a2", offers=1, status=AgentStatus.OFFERED),
    ]


def test_answer_counts_for_the_agent_with_its_wait() -> None:
    prior = a_call(S.ROUTED, agent_id="a1")
    event = facts(E.CALL_ANSWERED, wait_time=12)
    after = apply_event(prior, event, LIMITS, at(12))
    assert effects_of(prior, after, event, LIMITS).agents == [
        AgentChange("a1", answered=1, wait=12, status=AgentStatus.ON_CALL)
    ]


def test_end_of_an_answered_call_counts_handle_time_with_hold_and_short_calls() -> None:
    prior = a_call(S.ACTIVE, answered_at=at(10), hold_total=20.0)
    event = facts(E.CALL_ENDED, at(15), end_reason="completed", duration=5)
    after = apply_event(prior, event, LIMITS, at(15))
    effects = effects_of(prior, after, event, LIMITS)
    assert effects.agents == [
        AgentChange("agent-1", handled=1, handle_time=5.0, hold=20.0, short_calls=1, release=True)
    ]
    assert effects.survey_requested is True
    assert [a.kind for a in effects.alerts] == [AlertKind.SHORT_CALL_REVIEW]


def test_an_abandoned_call_requests_no_survey() -> None:
    prior = a_call(S.WAITING, agent_id=None)
    event = facts(E.CALL_ENDED, end_reason="abandoned", duration=40)
    after = apply_event(prior, event, LIMITS, at(40))
    assert effects_of(prior, after, event, LIMITS).survey_requested is False


def test_backfill_arms_no_timer_raises_no_alert_and_requests_no_survey() -> None:
    prior = a_call(S.ROUTED)
    event = facts(E.CALL_ANSWERED, wait_time=99)
    after = apply_event(prior, event, LIMITS, at(99))
    effects = effects_of(prior, after, event, LIMITS, backfill=True)
    assert (effects.timers.arm, effects.timers.cancel, effects.alerts) == ({}, frozenset(), [])
    assert effects.agents  # the agent's numbers still count history
    assert CallFlag.LONG_WAIT in after.flags  # rules without timers still apply


def test_hold_time_accumulates_across_holds_and_closes_on_end() -> None:
    call = a_call(S.ACTIVE, answered_at=at(0))
    call = apply_event(call, facts(E.CALL_HOLD, at(10)), LIMITS, at(10))
    call = apply_event(call, facts(E.CALL_RESUMED, at(25)), LIMITS, at(25))
    call = apply_event(call, facts(E.CALL_HOLD, at(30)), LIMITS, at(30))
    assert call.hold_started_at == at(30)
    ended = facts(E.CALL_ENDED, at(40), end_reason="completed", duration=40)
    call = apply_event(call, ended, LIMITS, at(40))
    assert (call.hold_total, call.hold_started_at) == (25.0, None)


def test_transfers_are_counted_and_the_first_answer_is_kept() -> None:
    call = a_call(S.ROUTED)
    call = apply_event(call, facts(E.CALL_ANSWERED, at(5), wait_time=5), LIMITS, at(5))
    call = apply_event(call, facts(E.CALL_TRANSFERRED, at(9), to_agent_id="a2"), LIMITS, at(9))
    call = apply_event(call, facts(E.CALL_ANSWERED, at(12), wait_time=3), LIMITS, at(12))
    assert (call.transfer_count, call.answered_at, call.wait_time) == (1, at(5), 5)
