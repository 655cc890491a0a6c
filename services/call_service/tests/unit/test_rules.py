"""The rules that need no timer, at and around each threshold."""

import pytest

from call_service.domain.lifecycle import apply_event
from call_service.domain.rules import flags_earned
from contracts.enums import CallFlag, CallStatus, EventType

from .domain_builders import LIMITS, T0, a_call, facts


@pytest.mark.parametrize(("wait", "flagged"), [(0, False), (30, False), (30.01, True), (300, True)])
def test_answer_after_waiting_longer_than_sla_is_flagged_long_wait(
    wait: float, flagged: bool
) -> None:
    earned = flags_earned(facts(EventType.CALL_ANSWERED, wait_time=wait), LIMITS)
    assert (CallFlag.LONG_WAIT in earned) is flagged


@pytest.mark.parametrize(("hold", "flagged"), [(None, False), (60, False), (60.5, True)])
def test_hold_longer_than_max_is_flagged(hold: float | None, flagged: bool) -> None:
    earned = flags_earned(facts(EventType.CALL_HOLD, hold_duration=hold), LIMITS)
    assert (CallFlag.HOLD_EXCEEDED in earned) is flagged


@pytest.mark.parametrize(
    ("duration", "flagged"), [(0, True), (9.99, True), (10, False), (600, False)]
)
def test_call_shorter_than_threshold_is_flagged_for_review(duration: float, flagged: bool) -> None:
    event = facts(EventType.CALL_ENDED, end_reason="completed", duration=duration)
    assert (CallFlag.SHORT_CALL_REVIEW in flags_earned(event, LIMITS)) is flagged


def test_other_events_earn_no_flag_even_with_large_numbers() -> None:
    event = facts(EventType.CALL_ROUTED, agent_id="a", routing_time=10_000)
    assert flags_earned(event, LIMITS) == set()


def test_flags_accumulate_on_the_call_and_are_not_repeated() -> None:
    call = a_call(CallStatus.ACTIVE, flags=(CallFlag.LONG_WAIT,))
    held = apply_event(call, facts(EventType.CALL_HOLD, hold_duration=61), LIMITS, T0)
    resumed = apply_event(held, facts(EventType.CALL_RESUMED), LIMITS, T0)
    again = apply_event(resumed, facts(EventType.CALL_HOLD, hold_duration=90), LIMITS, T0)
    assert again.flags == (CallFlag.LONG_WAIT, CallFlag.HOLD_EXCEEDED)
