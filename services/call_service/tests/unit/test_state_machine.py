"""Every (status, event type) pair of the contract's transition table."""

from datetime import UTC, datetime

import pytest

from call_service.domain.errors import CallAlreadyExists, CallNotFound, TransitionNotAllowed
from call_service.domain.lifecycle import apply_event
from contracts.enums import CallStatus, EventType, Media

from .domain_builders import LIMITS, T0, a_call, facts

S, E = CallStatus, EventType

# (event, facts that make it valid, status before) -> status after; absent pairs must be refused.
EXPECTED: dict[tuple[EventType, CallStatus], CallStatus] = {
    (E.CALL_ROUTED, S.WAITING): S.ROUTED,
    (E.CALL_ROUTED, S.ROUTED): S.ROUTED,
    (E.CALL_ANSWERED, S.ROUTED): S.ACTIVE,
    (E.CALL_HOLD, S.ACTIVE): S.ON_HOLD,
    (E.CALL_RESUMED, S.ON_HOLD): S.ACTIVE,
    (E.CALL_ENDED, S.WAITING): S.ENDED,
    (E.CALL_ENDED, S.ROUTED): S.ENDED,
    (E.CALL_ENDED, S.ACTIVE): S.ENDED,
    (E.CALL_ENDED, S.ON_HOLD): S.ENDED,
    (E.SLA_BREACHED, S.WAITING): S.WAITING,
    (E.SLA_BREACHED, S.ROUTED): S.ROUTED,
    (E.CALL_RETRANSFER, S.ROUTED): S.WAITING,
    (E.HOLD_EXCEEDED, S.ON_HOLD): S.ON_HOLD,
}
TRANSFER_FROM = {S.ACTIVE, S.ON_HOLD}

FACTS: dict[EventType, dict[str, object]] = {
    E.CALL_ROUTED: {"agent_id": "agent-7", "routing_time": 2.0},
    E.CALL_ANSWERED: {"wait_time": 5.0},
    E.CALL_HOLD: {},
    E.CALL_RESUMED: {},
    E.CALL_ENDED: {"end_reason": "completed", "duration": 120.0},
    E.SLA_BREACHED: {},
    E.CALL_RETRANSFER: {},
    E.HOLD_EXCEEDED: {},
}


NON_INITIAL = [e for e in EventType if e not in (E.CALL_INITIATED, E.CALL_TRANSFERRED)]


@pytest.mark.parametrize("status", list(CallStatus))
@pytest.mark.parametrize("event_type", NON_INITIAL)
def test_each_status_and_event_pair_follows_the_table(
    status: CallStatus, event_type: EventType
) -> None:
    event = facts(event_type, **FACTS[event_type])
    expected = EXPECTED.get((event_type, status))
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            apply_event(a_call(status), event, LIMITS, T0)
        return
    after = apply_event(a_call(status), event, LIMITS, T0)
    assert after.status is expected
    assert after.last_seq == 4


@pytest.mark.parametrize("status", list(CallStatus))
@pytest.mark.parametrize(
    ("target", "expected"),
    [({"to_agent_id": "agent-9"}, S.ROUTED), ({"to_queue_id": "legal_english"}, S.WAITING)],
)
def test_transfer_goes_to_routed_for_an_agent_and_waiting_for_a_queue(
    status: CallStatus, target: dict[str, str], expected: CallStatus
) -> None:
    event = facts(E.CALL_TRANSFERRED, **target)
    if status not in TRANSFER_FROM:
        with pytest.raises(TransitionNotAllowed):
            apply_event(a_call(status), event, LIMITS, T0)
        return
    after = apply_event(a_call(status), event, LIMITS, T0)
    assert after.status is expected


def test_transfer_to_a_queue_moves_the_call_and_clears_the_agent() -> None:
    after = apply_event(
        a_call(S.ACTIVE), facts(E.CALL_TRANSFERRED, to_queue_id="legal_english"), LIMITS, T0
    )
    assert (after.queue_id, after.agent_id) == ("legal_english", None)


def test_transfer_to_an_agent_keeps_the_queue_and_sets_the_agent() -> None:
    after = apply_event(a_call(S.ON_HOLD), facts(E.CALL_TRANSFERRED, to_agent_id="a9"), LIMITS, T0)
    assert (after.queue_id, after.agent_id) == ("medical_spanish", "a9")


def test_initiated_creates_a_waiting_call_with_seq_one() -> None:
    event = facts(E.CALL_INITIATED, media=Media.VIDEO, queue_id="medical_spanish")
    call = apply_event(None, event, LIMITS, T0)
    assert (call.status, call.last_seq, call.media, call.start_time) == (
        S.WAITING,
        1,
        Media.VIDEO,
        T0,
    )


@pytest.mark.parametrize("status", list(CallStatus))
def test_initiated_for_an_existing_call_is_refused(status: CallStatus) -> None:
    event = facts(E.CALL_INITIATED, media=Media.VOICE, queue_id="medical_spanish")
    with pytest.raises(CallAlreadyExists):
        apply_event(a_call(status), event, LIMITS, T0)


@pytest.mark.parametrize("event_type", [*NON_INITIAL, E.CALL_TRANSFERRED])
def test_any_other_event_for_a_missing_call_is_not_found(event_type: EventType) -> None:
    with pytest.raises(CallNotFound):
        apply_event(None, facts(event_type), LIMITS, T0)


def test_routed_sets_the_agent_and_a_new_route_replaces_it() -> None:
    first = apply_event(
        a_call(S.WAITING, agent_id=None), facts(E.CALL_ROUTED, agent_id="a1"), LIMITS, T0
    )
    second = apply_event(first, facts(E.CALL_ROUTED, agent_id="a2"), LIMITS, T0)
    assert (first.agent_id, second.agent_id, second.last_seq) == ("a1", "a2", 5)


def test_answered_records_answer_time_and_wait() -> None:
    after = apply_event(a_call(S.ROUTED), facts(E.CALL_ANSWERED, wait_time=12.5), LIMITS, T0)
    assert (after.answered_at, after.wait_time) == (T0, 12.5)


def test_ended_records_end_time_reason_and_duration() -> None:
    after = apply_event(a_call(S.ACTIVE), facts(E.CALL_ENDED, **FACTS[E.CALL_ENDED]), LIMITS, T0)
    assert (after.end_time, after.end_reason, after.duration) == (T0, "completed", 120.0)


def test_retransfer_returns_to_waiting_without_agent() -> None:
    after = apply_event(a_call(S.ROUTED), facts(E.CALL_RETRANSFER), LIMITS, T0)
    assert (after.status, after.agent_id) == (S.WAITING, None)


def test_updated_at_is_the_time_of_receipt_not_the_event_time() -> None:
    received = datetime(2026, 1, 2, tzinfo=UTC)
    after = apply_event(a_call(S.ROUTED), facts(E.CALL_ANSWERED, wait_time=1), LIMITS, received)
    assert (after.updated_at, after.answered_at) == (received, T0)
