"""The rules that need no timer, at and around each threshold."""

from datetime import UTC, datetime

import pytest

from call_service.domain.call import CallRecord, EventFacts, Thresholds
from call_service.domain.lifecycle import apply_event
from call_service.domain.rules import flags_earned
from contracts.enums import CallFlag, CallStatus, EventType, Media

T0 = datetime(2026, 1, 1, tzinfo=UTC)
LIMITS = Thresholds(
    sla_seconds=30, no_answer_seconds=15, max_hold_seconds=60, short_call_seconds=10
)


def facts(event_type: EventType, **fields: object) -> EventFacts:
    return EventFacts(type=event_type, call_id="c1", timestamp=T0, **fields)  # type: ignore[arg-type]


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
    call = CallRecord(
        id="c1",
        status=CallStatus.ACTIVE,
        queue_id="q",
        media=Media.VOICE,
        start_time=T0,
        updated_at=T0,
        last_seq=3,
        flags=(CallFlag.LONG_WAIT,),
    )
    held = apply_event(call, facts(EventType.CALL_HOLD, hold_duration=61), LIMITS, T0)
    resumed = apply_event(held, facts(EventType.CALL_RESUMED), LIMITS, T0)
    again = apply_event(resumed, facts(EventType.CALL_HOLD, hold_duration=90), LIMITS, T0)
    assert again.flags == (CallFlag.LONG_WAIT, CallFlag.HOLD_EXCEEDED)
