"""ingest_event on the in-memory fakes: creation, seq, idempotency, refusals, backfill, skew."""

from datetime import timedelta, timezone

import pytest

from call_service.domain.errors import CallAlreadyExists, CallNotFound, TransitionNotAllowed
from call_service.domain.timers import TimerKind
from call_service.service.errors import IdempotencyConflict, TimestampInFuture, UnknownQueue
from call_service.service.ingest_event import IngestOptions, IngestResult
from contracts.enums import AgentStatus, CallFlag, CallStatus, EventType
from contracts.events import EventRequest
from contracts.realtime import CallEventEnvelope

from .use_case_builders import QUEUE, T0, World, at, initiated, request

S, E = CallStatus, EventType


async def test_a_new_call_is_created_with_seq_1_its_outbox_message_and_its_sla_timer() -> None:
    world = World()
    result = await world.ingest(initiated("c1", event_id="e1"))

    assert result.created is True
    assert (result.body.event.seq, result.body.call.status) == (1, S.WAITING)
    tables = world.db.committed
    assert tables.call("c1").last_seq == 1
    assert [e.id for e in tables.events_of("c1")] == [result.body.event.id]
    [row] = tables.outbox_of("c1")
    envelope = CallEventEnvelope.model_validate(row.payload)
    assert envelope.message.event == result.body.event
    assert envelope.queue_ids == [QUEUE]
    assert tables.timers_of("c1") == {TimerKind.SLA: at(30)}
    assert world.db.statements_named("events.record_new_call") == [("c1",)]


async def test_the_next_event_takes_the_next_seq_and_moves_the_call() -> None:
    world = World()
    await world.open_call()
    result = await world.ingest_at(5, "call_routed", agent_id="a1", routing_time=5)

    assert (result.body.event.seq, result.body.call.status) == (2, S.ROUTED)
    tables = world.db.committed
    assert tables.call("c1").agent_id == "a1"
    assert [e.seq for e in tables.events_of("c1")] == [1, 2]
    assert len(tables.outbox_of("c1")) == 2
    assert tables.timers_of("c1") == {TimerKind.SLA: at(30), TimerKind.NO_ANSWER: at(20)}


async def test_a_replayed_call_initiated_answers_the_original_body_and_writes_nothing() -> None:
    world = World()
    first = await world.ingest(initiated("c1", event_id="e1"))
    before = world.db.committed.copy()
    world.clock.advance(10)

    replay = await world.ingest(initiated("c1", event_id="e1"))

    assert replay.created is False
    assert replay.body == first.body
    assert world.db.committed == before


async def test_a_replay_answers_the_call_as_that_event_left_it_and_writes_nothing() -> None:
    world = World()
    await world.open_call()
    routed = request("call_routed", event_id="e2", timestamp=at(5), agent_id="a1", routing_time=5)
    first = await world.ingest(routed)
    await world.ingest_at(9, "call_answered", wait_time=9)
    before = world.db.committed.copy()

    replay = await world.ingest(routed)

    assert replay.created is False
    assert replay.body == first.body
    assert replay.body.call.status is S.ROUTED
    assert world.db.committed == before


@pytest.mark.parametrize(
    ("original", "other"),
    [
        (initiated("c1", event_id="e1"), initiated("c1", event_id="e1", queue_id="legal_english")),
        (
            request("call_routed", event_id="e1", agent_id="a1", routing_time=1),
            request("call_routed", event_id="e1", agent_id="a2", routing_time=1),
        ),
    ],
    ids=["call_initiated", "call_routed"],
)
async def test_an_event_id_sent_again_with_other_content_is_an_idempotency_conflict(
    original: EventRequest, other: EventRequest
) -> None:
    world = World()
    if original.type is not E.CALL_INITIATED:
        await world.open_call()
    await world.ingest(original)
    before = world.db.committed.copy()

    with pytest.raises(IdempotencyConflict) as refused:
        await world.ingest(other)

    assert refused.value.event_id == "e1"
    assert world.db.committed == before


async def test_an_event_id_of_one_call_reused_to_open_another_leaves_no_second_call() -> None:
    world = World()
    await world.ingest(initiated("c1", event_id="e1"))
    before = world.db.committed.copy()

    with pytest.raises(IdempotencyConflict):
        await world.ingest(initiated("c2", event_id="e1"))

    # The second call's row was inserted in the transaction, then rolled back with it.
    assert world.db.statements_named("calls.insert") == [("c2",)]
    assert "c2" not in world.db.committed.calls
    assert world.db.committed == before


async def test_an_unknown_queue_is_refused_at_data_queue_id_and_nothing_is_written() -> None:
    world = World()

    with pytest.raises(UnknownQueue) as refused:
        await world.ingest(initiated("c1", queue_id="no_such_queue"))

    assert (refused.value.queue_id, refused.value.loc) == ("no_such_queue", ("data", "queue_id"))
    assert world.db.committed == World().db.committed


async def test_a_transfer_to_an_unknown_queue_is_refused_at_data_to_queue_id() -> None:
    world = World()
    await world.open_call()
    await world.ingest_at(1, "call_routed", agent_id="a1", routing_time=1)
    await world.ingest_at(2, "call_answered", wait_time=2)
    before = world.db.committed.copy()

    with pytest.raises(UnknownQueue) as refused:
        await world.ingest(request("call_transferred", to_queue_id="nowhere"))

    assert refused.value.loc == ("data", "to_queue_id")
    assert world.db.committed == before


async def test_an_event_for_a_missing_call_is_call_not_found() -> None:
    world = World()

    with pytest.raises(CallNotFound) as refused:
        await world.ingest(request("call_routed", "ghost", agent_id="a1", routing_time=1))

    assert refused.value.call_id == "ghost"
    assert world.db.committed == World().db.committed


async def test_a_second_call_initiated_for_an_existing_call_is_call_already_exists() -> None:
    world = World()
    await world.open_call()
    before = world.db.committed.copy()

    with pytest.raises(CallAlreadyExists):
        await world.ingest(initiated("c1", event_id="another"))

    assert world.db.committed == before


async def test_a_transition_not_allowed_is_refused_and_its_transaction_rolled_back() -> None:
    world = World()
    await world.open_call()
    before = world.db.committed.copy()
    rollbacks = world.db.rollbacks

    with pytest.raises(TransitionNotAllowed) as refused:
        await world.ingest_at(3, "call_answered", wait_time=3)

    assert (refused.value.event_type, refused.value.status) == (E.CALL_ANSWERED, S.WAITING)
    assert world.db.rollbacks == rollbacks + 1
    assert world.db.committed == before


async def test_a_backfilled_call_arms_no_timer_raises_no_alert_and_keeps_its_flags() -> None:
    world = World(webhook_types=("alert", "survey_requested"))
    backfill = IngestOptions(backfill=True)
    history = [
        initiated("c1", timestamp=at(0)),
        request("call_routed", timestamp=at(1), agent_id="a1", routing_time=1),
        request("call_answered", timestamp=at(45), wait_time=45),
        request("call_hold", timestamp=at(46)),
        request("call_resumed", timestamp=at(47)),
        request("call_ended", timestamp=at(48), end_reason="completed", duration=3),
    ]
    world.clock.set(at(600))
    for event in history:
        await world.ingest(event, backfill)

    tables = world.db.committed
    assert tables.timers == {}
    assert tables.alerts == []
    assert tables.integration_outbox == []
    assert {row.kind for row in tables.outbox} == {"call_event"}
    call = tables.call("c1")
    assert (call.status, call.last_seq) == (S.ENDED, 6)
    assert set(call.flags) == {CallFlag.LONG_WAIT, CallFlag.SHORT_CALL_REVIEW}
    agent = tables.agents["a1"]
    assert (agent.status, agent.answered, agent.handled, agent.short_calls) == (
        AgentStatus.IDLE,
        1,
        1,
        1,
    )


@pytest.mark.parametrize(
    ("options", "ahead_s"),
    [
        (IngestOptions(), 300.001),
        (IngestOptions(max_future_skew_s=10), 11),
        (IngestOptions(max_future_skew_s=10, backfill=True), 11),
    ],
    ids=["default", "configured", "backfill"],
)
async def test_a_timestamp_beyond_the_allowed_skew_is_refused_at_timestamp(
    options: IngestOptions, ahead_s: float
) -> None:
    world = World()

    with pytest.raises(TimestampInFuture) as refused:
        await world.ingest(initiated(timestamp=T0 + timedelta(seconds=ahead_s)), options)

    assert refused.value.loc == ("timestamp",)
    assert world.db.committed == World().db.committed


@pytest.mark.parametrize(
    ("options", "ahead_s"),
    [(IngestOptions(), 300), (IngestOptions(max_future_skew_s=10), 10)],
    ids=["default", "configured"],
)
async def test_a_timestamp_within_the_allowed_skew_is_accepted(
    options: IngestOptions, ahead_s: float
) -> None:
    world = World()
    ahead = T0 + timedelta(seconds=ahead_s)

    result = await world.ingest(initiated(timestamp=ahead), options)

    assert result.body.event.timestamp == ahead
    assert result.body.event.received_at == T0
    assert world.db.committed.timers_of("c1") == {TimerKind.SLA: ahead + timedelta(seconds=30)}


async def test_an_event_without_a_timestamp_is_dated_when_received() -> None:
    world = World()
    world.clock.set(at(7))

    result = await world.ingest(initiated())

    assert result.body.event.timestamp == at(7)
    assert result.body.call.start_time == at(7)


async def test_a_timestamp_with_an_offset_is_stored_in_utc() -> None:
    world = World()
    local = at(0).astimezone(timezone(timedelta(hours=-5)))

    result = await world.ingest(initiated(timestamp=local))

    assert result.body.event.timestamp.utcoffset() == timedelta(0)
    assert result.body.event.timestamp == at(0)


async def test_the_correlation_id_travels_with_the_event_and_its_outbox_row() -> None:
    world = World()
    await world.open_call()

    await world.ingest(
        request("call_routed", agent_id="a1", routing_time=1), IngestOptions(correlation_id="r-7")
    )

    [event_row] = [r for r in world.db.committed.events if r.event.seq == 2]
    outbox_row = world.db.committed.outbox_of("c1")[-1]
    assert event_row.correlation_id == outbox_row.correlation_id == "r-7"
    assert outbox_row.payload["correlation_id"] == "r-7"


async def test_an_event_id_taken_concurrently_before_the_write_is_found_on_retry() -> None:
    world = World()
    await world.open_call("c1")
    await world.open_call("c2")

    async def a_concurrent_request_commits_first() -> None:
        await world.ingest(
            request("call_routed", "c2", event_id="e9", agent_id="a", routing_time=1)
        )

    world.db.before_next_record(a_concurrent_request_commits_first)

    with pytest.raises(IdempotencyConflict):
        await world.ingest(
            request("call_routed", "c1", event_id="e9", agent_id="b", routing_time=1)
        )

    # The first attempt hit the taken event_id at its write; the retry's lookup found it.
    assert world.db.statements_named("calls.lock").count(("c1",)) == 2
    assert world.db.committed.call("c1").last_seq == 1
    assert world.db.committed.call("c2").last_seq == 2


async def test_a_concurrent_duplicate_of_a_new_call_is_answered_as_the_winner_replay() -> None:
    world = World()
    event = initiated("c1", event_id="e1")
    winner: list[IngestResult] = []

    async def the_same_request_commits_first() -> None:
        winner.append(await world.ingest(event))

    world.db.before_next_record(the_same_request_commits_first)

    loser = await world.ingest(event)

    assert loser.created is False
    assert loser.body == winner[0].body
    assert len(world.db.committed.events_of("c1")) == 1
