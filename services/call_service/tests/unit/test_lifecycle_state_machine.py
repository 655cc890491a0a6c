"""Random event sequences at the pure domain (`apply_event`), checked against the invariants.

A hypothesis state machine plays one call's life: every event type (system ones included),
random data, random timestamps (late, early, equal), random queue thresholds. After each
step it checks:

- every accepted event follows the table (`ALLOWED_FROM` / `target_status`) and every
  refused one was outside it, refused with the right error and changed nothing;
- `last_seq` grows by exactly 1 per accepted event and never otherwise;
- `ended` is final: every later event is refused;
- each flag is present exactly when an accepted event earned it by its rule;
- `hold_total` is never negative, and a hold clock runs exactly while the call is on hold.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from call_service.domain import state_machine
from call_service.domain.call import CallRecord, EventFacts, Thresholds
from call_service.domain.errors import CallAlreadyExists, CallNotFound, TransitionNotAllowed
from call_service.domain.lifecycle import apply_event
from contracts.enums import CallFlag, CallStatus, EndReason, EventType, Media

E, S, F = EventType, CallStatus, CallFlag
CALL_ID = "c-fuzz"
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

seconds = st.floats(min_value=0, max_value=600, allow_nan=False, allow_infinity=False)
names = st.sampled_from(["q1", "q2", "medical_spanish"])
agents = st.sampled_from(["a1", "a2", "a3"])
# Offsets around T0, so events may arrive out of order, at the same instant or later.
timestamps = st.floats(min_value=-3600, max_value=3600, allow_nan=False).map(
    lambda s: T0 + timedelta(seconds=s)
)


def data_for(event_type: EventType) -> st.SearchStrategy[dict[str, Any]]:
    """The facts `event_type` carries once the API has validated it (optional ones may be None)."""
    optional_seconds = st.none() | seconds
    match event_type:
        case E.CALL_INITIATED:
            return st.fixed_dictionaries({"media": st.sampled_from(Media), "queue_id": names})
        case E.CALL_ROUTED:
            return st.fixed_dictionaries({"agent_id": agents, "routing_time": seconds})
        case E.CALL_ANSWERED:
            return st.fixed_dictionaries({"wait_time": seconds})
        case E.CALL_HOLD:
            return st.fixed_dictionaries({"hold_duration": optional_seconds})
        case E.CALL_TRANSFERRED:
            return st.fixed_dictionaries({"to_agent_id": agents}) | st.fixed_dictionaries(
                {"to_queue_id": names}
            )
        case E.CALL_ENDED:
            return st.fixed_dictionaries(
                {"end_reason": st.sampled_from(EndReason), "duration": seconds}
            )
        case _:  # call_resumed and the system events carry nothing
            return st.just({})


any_event = st.sampled_from(EventType).flatmap(
    lambda t: st.tuples(st.just(t), data_for(t), timestamps)
)


def qualifies(flag: CallFlag, facts: EventFacts, limits: Thresholds) -> bool:
    """Whether `facts` earns `flag` by the contract's rule (written apart from rules.py)."""
    match flag:
        case F.LONG_WAIT:
            return facts.type is E.CALL_ANSWERED and (facts.wait_time or 0) > limits.sla_seconds
        case F.HOLD_EXCEEDED:
            return facts.type is E.HOLD_EXCEEDED or (
                facts.type is E.CALL_HOLD
                and facts.hold_duration is not None
                and facts.hold_duration > limits.max_hold_seconds
            )
        case F.SHORT_CALL_REVIEW:
            return (
                facts.type is E.CALL_ENDED
                and facts.duration is not None
                and facts.duration < limits.short_call_seconds
            )
        case F.SLA_BREACHED:
            return facts.type is E.SLA_BREACHED
    return False


class CallLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.call: CallRecord | None = None
        self.accepted: list[EventFacts] = []
        self.refused_after_end = 0
        self.limits = Thresholds(30, 15, 60, 10)
        self.clock = T0

    @initialize(sla=st.integers(1, 120), no_answer=st.integers(1, 60), hold=st.integers(1, 300))
    def thresholds(self, sla: int, no_answer: int, hold: int) -> None:
        self.limits = Thresholds(sla, no_answer, hold, short_call_seconds=10)

    def _apply(self, event_type: EventType, data: dict[str, Any], at: datetime) -> None:
        facts = EventFacts(type=event_type, call_id=CALL_ID, timestamp=at, **data)
        before = self.call
        self.clock += timedelta(seconds=1)
        try:
            after = apply_event(before, facts, self.limits, self.clock)
        except CallNotFound:
            assert before is None
            assert event_type is not E.CALL_INITIATED
            return
        except CallAlreadyExists:
            assert before is not None
            assert event_type is E.CALL_INITIATED
            self._note_refusal(before)
            return
        except TransitionNotAllowed:
            assert before is not None
            assert before.status not in state_machine.ALLOWED_FROM.get(event_type, frozenset())
            self._note_refusal(before)
            return
        # Accepted: it must be in the table, and move exactly one step.
        if before is None:
            assert event_type is E.CALL_INITIATED
            assert after.status is S.WAITING
            assert after.last_seq == 1
        else:
            assert before.status is not S.ENDED, "ended is final"
            assert before.status in state_machine.ALLOWED_FROM[event_type]
            expected = state_machine.target_status(
                event_type, before.status, to_queue=facts.to_queue_id is not None
            )
            assert after.status is expected
            assert after.last_seq == before.last_seq + 1
            assert set(before.flags) <= set(after.flags), "a flag is never taken back"
        assert after.id == CALL_ID
        self.call = after
        self.accepted.append(facts)

    def _note_refusal(self, before: CallRecord) -> None:
        if before.status is S.ENDED:
            self.refused_after_end += 1

    @rule(data=data_for(E.CALL_INITIATED), at=timestamps)
    def initiate(self, data: dict[str, Any], at: datetime) -> None:
        self._apply(E.CALL_INITIATED, data, at)

    @rule(event=any_event)
    def any_event(self, event: tuple[EventType, dict[str, Any], datetime]) -> None:
        self._apply(*event)

    # Steer towards the interesting paths, so long lives (hold, transfer, end) are common.
    @rule(data=data_for(E.CALL_ROUTED), at=timestamps)
    def route(self, data: dict[str, Any], at: datetime) -> None:
        self._apply(E.CALL_ROUTED, data, at)

    @rule(data=data_for(E.CALL_ANSWERED), at=timestamps)
    def answer(self, data: dict[str, Any], at: datetime) -> None:
        self._apply(E.CALL_ANSWERED, data, at)

    @rule(data=data_for(E.CALL_HOLD), at=timestamps)
    def hold(self, data: dict[str, Any], at: datetime) -> None:
        self._apply(E.CALL_HOLD, data, at)

    @invariant()
    def seq_counts_accepted_events(self) -> None:
        assert (self.call.last_seq if self.call else 0) == len(self.accepted)

    @invariant()
    def flags_only_from_their_rules(self) -> None:
        if self.call is None:
            return
        assert len(set(self.call.flags)) == len(self.call.flags), "no flag twice"
        for flag in CallFlag:
            earned = any(qualifies(flag, facts, self.limits) for facts in self.accepted)
            assert (flag in self.call.flags) == earned, (flag, self.call.flags)

    @invariant()
    def hold_clock_is_sane(self) -> None:
        if self.call is None:
            return
        assert self.call.hold_total >= 0
        assert (self.call.hold_started_at is not None) == (self.call.status is S.ON_HOLD)

    @invariant()
    def ended_is_final(self) -> None:
        if self.call is None:
            return
        ended_at = next(
            (i for i, facts in enumerate(self.accepted) if facts.type is E.CALL_ENDED), None
        )
        if ended_at is not None:
            assert ended_at == len(self.accepted) - 1, "nothing is accepted after call_ended"
            assert self.call.status is S.ENDED
            assert self.call.end_time == self.accepted[ended_at].timestamp
        else:
            assert self.call.status is not S.ENDED


CallLifecycle.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_call_lifecycle = CallLifecycle.TestCase


def test_the_machine_reaches_every_status() -> None:
    """The checks above are only as good as the paths they see: a hand-written long life."""
    machine = CallLifecycle()
    steps: list[tuple[EventType, dict[str, Any]]] = [
        (E.CALL_INITIATED, {"media": Media.VOICE, "queue_id": "q1"}),
        (E.SLA_BREACHED, {}),
        (E.CALL_ROUTED, {"agent_id": "a1", "routing_time": 1.0}),
        (E.CALL_RETRANSFER, {}),
        (E.CALL_ROUTED, {"agent_id": "a2", "routing_time": 1.0}),
        (E.CALL_ANSWERED, {"wait_time": 45.0}),
        (E.CALL_HOLD, {"hold_duration": None}),
        (E.HOLD_EXCEEDED, {}),
        (E.CALL_TRANSFERRED, {"to_queue_id": "q2"}),
        (E.CALL_ROUTED, {"agent_id": "a3", "routing_time": 1.0}),
        (E.CALL_ANSWERED, {"wait_time": 2.0}),
        (E.CALL_ENDED, {"end_reason": EndReason.COMPLETED, "duration": 5.0}),
        (E.CALL_RESUMED, {}),
        (E.CALL_INITIATED, {"media": Media.VIDEO, "queue_id": "q1"}),
    ]
    for i, (event_type, data) in enumerate(steps):
        machine._apply(event_type, data, T0 + timedelta(seconds=10 * i))
        machine.seq_counts_accepted_events()
        machine.flags_only_from_their_rules()
        machine.hold_clock_is_sane()
        machine.ended_is_final()
    assert machine.call is not None
    assert machine.call.last_seq == 12
    assert machine.refused_after_end == 2
    assert set(machine.call.flags) == {
        F.SLA_BREACHED,
        F.LONG_WAIT,
        F.HOLD_EXCEEDED,
        F.SHORT_CALL_REVIEW,
    }
    assert machine.call.hold_total == pytest.approx(20.0)
