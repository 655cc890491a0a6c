"""Timer decisions for every status, and which events arm or cancel which timer."""

import pytest

from call_service.domain.timers import TimerKind, TimerPlan, timer_decision, timer_plan
from contracts.enums import CallStatus, EventType

from .domain_builders import LIMITS, a_call, at, facts

S, E, K = CallStatus, EventType, TimerKind

FIRES = {
    (K.SLA, S.WAITING): E.SLA_BREACHED,
    (K.SLA, S.ROUTED): E.SLA_BREACHED,
    (K.NO_ANSWER, S.ROUTED): E.CALL_RETRANSFER,
    (K.MAX_HOLD, S.ON_HOLD): E.HOLD_EXCEEDED,
}


@pytest.mark.parametrize("status", list(CallStatus))
@pytest.mark.parametrize("kind", list(TimerKind))
def test_a_due_timer_fires_only_while_its_condition_holds(
    kind: TimerKind, status: CallStatus
) -> None:
    assert timer_decision(kind, a_call(status)) is FIRES.get((kind, status))


@pytest.mark.parametrize("kind", list(TimerKind))
def test_a_timer_of_a_vanished_call_does_nothing(kind: TimerKind) -> None:
    assert timer_decision(kind, None) is None


def test_initiated_arms_the_sla_from_the_event_time() -> None:
    plan = timer_plan(facts(E.CALL_INITIATED, at(5), media="voice", queue_id="q"), LIMITS)
    assert plan == TimerPlan(arm={K.SLA: at(35)})


def test_routed_arms_no_answer_and_a_new_route_rearms_it() -> None:
    assert timer_plan(facts(E.CALL_ROUTED, at(10), agent_id="a"), LIMITS).arm == {
        K.NO_ANSWER: at(25)
    }


def test_answered_cancels_sla_and_no_answer() -> None:
    plan = timer_plan(facts(E.CALL_ANSWERED, wait_time=3), LIMITS)
    assert plan == TimerPlan(cancel=frozenset({K.SLA, K.NO_ANSWER}))


def test_hold_arms_max_hold_and_resume_cancels_it() -> None:
    assert timer_plan(facts(E.CALL_HOLD, at(100)), LIMITS).arm == {K.MAX_HOLD: at(160)}
    assert timer_plan(facts(E.CALL_RESUMED), LIMITS).cancel == {K.MAX_HOLD}


def test_transfer_to_a_queue_restarts_the_wait() -> None:
    plan = timer_plan(facts(E.CALL_TRANSFERRED, at(50), to_queue_id="q2"), LIMITS)
    assert plan.arm == {K.SLA: at(80)}
    assert plan.cancel == {K.NO_ANSWER, K.MAX_HOLD}


def test_transfer_to_an_agent_restarts_no_answer() -> None:
    plan = timer_plan(facts(E.CALL_TRANSFERRED, at(50), to_agent_id="a2"), LIMITS)
    assert plan.arm == {K.NO_ANSWER: at(65)}
    assert plan.cancel == {K.MAX_HOLD}


def test_ended_cancels_every_timer() -> None:
    plan = timer_plan(facts(E.CALL_ENDED, end_reason="completed", duration=1), LIMITS)
    assert plan.cancel == set(TimerKind)
    assert plan.arm == {}


@pytest.mark.parametrize("event_type", [E.SLA_BREACHED, E.CALL_RETRANSFER, E.HOLD_EXCEEDED])
def test_system_events_restart_nothing(event_type: EventType) -> None:
    assert timer_plan(facts(event_type), LIMITS) == TimerPlan()
