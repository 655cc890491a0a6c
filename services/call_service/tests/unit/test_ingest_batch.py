"""A batch on the in-memory fakes: new calls in one statement, the rest through ingest_event."""

from collections.abc import Sequence

from call_service.domain.errors import CallNotFound, DomainError, TransitionNotAllowed
from call_service.domain.timers import TimerKind
from call_service.service.errors import IdempotencyConflict, UnknownQueue
from call_service.service.ingest_batch import for_each_in_call_order, ingest_new_calls
from call_service.service.ingest_event import IngestOptions, IngestResult, ingest_event
from contracts.enums import EventType
from contracts.events import EventRequest

from .use_case_builders import World, at, initiated, request

E = EventType
Outcome = IngestResult | DomainError


async def run_batch(
    world: World, events: Sequence[EventRequest], options: IngestOptions | None = None
) -> tuple[set[int], list[Outcome]]:
    """The two steps as the batch endpoint composes them: the indexes the first step
    created, and every event's outcome in the batch's order."""
    options = options or IngestOptions()
    opened = await ingest_new_calls(world.uow_factory, world.clock_port, events, options)

    async def apply(event: EventRequest) -> Outcome | None:
        try:
            return await ingest_event(world.uow_factory, world.clock_port, event, options)
        except DomainError as refused:
            return refused

    rest = [None if index in opened else event for index, event in enumerate(events)]
    applied = await for_each_in_call_order(rest, apply, skipped=None)
    outcomes = [opened.get(index) or applied[index] for index in range(len(events))]
    assert all(outcome is not None for outcome in outcomes)
    return set(opened), [o for o in outcomes if o is not None]


def types_of(world: World, call_id: str) -> list[tuple[int, EventType]]:
    return [(e.seq, e.type) for e in world.db.committed.events_of(call_id)]


async def test_the_batch_new_calls_are_created_by_one_record_new_calls() -> None:
    world = World()

    opened, outcomes = await run_batch(world, [initiated("c1"), initiated("c2"), initiated("c3")])

    assert opened == {0, 1, 2}
    assert world.db.statements_named("events.record_new_calls") == [("c1", "c2", "c3")]
    assert world.db.statements_named("events.record_new_call") == []
    assert world.db.statements_named("events.record") == []
    tables = world.db.committed
    for call_id, outcome in zip(["c1", "c2", "c3"], outcomes, strict=True):
        assert isinstance(outcome, IngestResult)
        assert (outcome.created, outcome.body.event.seq) == (True, 1)
        assert tables.call(call_id).last_seq == 1
        assert len(tables.outbox_of(call_id)) == 1
        assert tables.timers_of(call_id) == {TimerKind.SLA: at(30)}


async def test_the_other_events_go_through_ingest_event_in_the_batch_order_of_each_call() -> None:
    world = World()
    batch = [
        initiated("c1"),
        initiated("c2"),
        request("call_routed", "c1", agent_id="a1", routing_time=1),
        request("call_routed", "c2", agent_id="a2", routing_time=1),
        request("call_answered", "c1", wait_time=2),
        request("call_ended", "c2", end_reason="abandoned", duration=3),
    ]

    opened, outcomes = await run_batch(world, batch)

    assert opened == {0, 1}
    assert world.db.statements_named("events.record_new_calls") == [("c1", "c2")]
    assert sorted(world.db.statements_named("events.record")) == [("c1",)] * 2 + [("c2",)] * 2
    assert all(isinstance(o, IngestResult) and o.created for o in outcomes)
    assert types_of(world, "c1") == [
        (1, E.CALL_INITIATED),
        (2, E.CALL_ROUTED),
        (3, E.CALL_ANSWERED),
    ]
    assert types_of(world, "c2") == [(1, E.CALL_INITIATED), (2, E.CALL_ROUTED), (3, E.CALL_ENDED)]


async def test_the_calls_of_a_batch_proceed_together_and_each_keeps_its_order() -> None:
    world = World()
    await run_batch(world, [initiated("c1"), initiated("c2")])
    world.db.yield_at_each_statement = True  # a round trip lets the other calls run
    batch = [
        request("call_routed", "c1", agent_id="a1", routing_time=1),
        request("call_answered", "c1", wait_time=2),
        request("call_hold", "c1"),
        request("call_routed", "c2", agent_id="a2", routing_time=1),
        request("call_answered", "c2", wait_time=2),
        request("call_hold", "c2"),
    ]

    _, outcomes = await run_batch(world, batch)

    assert all(isinstance(o, IngestResult) for o in outcomes)
    records = world.db.statements_named("events.record")
    assert records != sorted(records), "the two calls' transactions interleaved"
    for call_id in ("c1", "c2"):
        assert types_of(world, call_id)[1:] == [
            (2, E.CALL_ROUTED),
            (3, E.CALL_ANSWERED),
            (4, E.CALL_HOLD),
        ]


async def test_an_existing_call_is_left_to_ingest_event_which_answers_its_replay() -> None:
    world = World()
    first = await world.ingest(initiated("c1", event_id="e1"))

    opened, outcomes = await run_batch(world, [initiated("c1", event_id="e1"), initiated("c2")])

    assert opened == {1}
    assert world.db.statements_named("events.record_new_calls") == [("c1", "c2")]
    replay = outcomes[0]
    assert isinstance(replay, IngestResult)
    assert (replay.created, replay.body) == (False, first.body)
    assert len(world.db.committed.events_of("c1")) == 1


async def test_two_new_calls_sharing_an_event_id_are_each_answered_by_ingest_event() -> None:
    world = World()

    opened, outcomes = await run_batch(
        world, [initiated("c1", event_id="e1"), initiated("c2", event_id="e1")]
    )

    assert opened == set()
    assert isinstance(outcomes[0], IngestResult)
    assert isinstance(outcomes[1], IdempotencyConflict)
    assert set(world.db.committed.calls) == {"c1"}


async def test_an_unknown_queue_is_refused_for_its_event_alone() -> None:
    world = World()

    opened, outcomes = await run_batch(
        world, [initiated("c1", queue_id="nowhere"), initiated("c2")]
    )

    assert opened == {1}
    assert isinstance(outcomes[0], UnknownQueue)
    assert set(world.db.committed.calls) == {"c2"}


async def test_a_refused_event_undoes_none_of_the_others_of_its_call() -> None:
    world = World()
    batch = [
        initiated("c1"),
        request("call_answered", "c1", wait_time=1),
        request("call_routed", "c1", agent_id="a1", routing_time=1),
    ]

    _, outcomes = await run_batch(world, batch)

    assert isinstance(outcomes[1], TransitionNotAllowed)
    assert types_of(world, "c1") == [(1, E.CALL_INITIATED), (2, E.CALL_ROUTED)]


async def test_a_call_whose_opening_comes_late_in_the_batch_is_taken_in_the_batch_order() -> None:
    world = World()

    opened, outcomes = await run_batch(
        world, [request("call_routed", "c9", agent_id="a1", routing_time=1), initiated("c9")]
    )

    assert opened == set()
    assert world.db.statements_named("events.record_new_calls") == []
    assert isinstance(outcomes[0], CallNotFound)
    assert isinstance(outcomes[1], IngestResult)
    assert types_of(world, "c9") == [(1, E.CALL_INITIATED)]


async def test_a_backfilled_batch_arms_no_timer() -> None:
    world = World()
    batch = [
        initiated("c1"),
        initiated("c2"),
        request("call_routed", "c1", agent_id="a1", routing_time=1),
    ]

    await run_batch(world, batch, IngestOptions(backfill=True))

    assert world.db.committed.timers == {}
    assert world.db.committed.call("c1").last_seq == 2
