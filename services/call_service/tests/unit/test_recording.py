"""record_event on the in-memory fakes: an event and everything it sets in motion, in one unit."""

from datetime import datetime
from typing import Any

import pytest

from call_service.domain.call import CallRecord, EventFacts, Thresholds
from call_service.domain.lifecycle import apply_event
from call_service.domain.timers import TimerKind
from call_service.service.recording import EventMeta, record_event
from contracts.calls import EventAccepted
from contracts.enums import AgentStatus, AlertKind, CallStatus, EventType
from contracts.realtime import AlertEnvelope, CallEventEnvelope

from .domain_builders import a_call, facts
from .fakes.write_side import AgentRow
from .use_case_builders import LIMITS, OTHER_LIMITS, OTHER_QUEUE, QUEUE, T0, World, at

S, E, K = CallStatus, EventType, TimerKind


def given(world: World, call: CallRecord, **timers: datetime) -> None:
    """The call (and its armed timers) as already committed."""
    world.db.committed.calls[call.id] = call
    for kind, due in timers.items():
        world.db.committed.timers[(call.id, TimerKind(kind))] = due


async def record(
    world: World,
    prior: CallRecord | None,
    event: EventFacts,
    meta: EventMeta | None = None,
    thresholds: Thresholds = LIMITS,
) -> EventAccepted:
    after = apply_event(prior, event, thresholds, event.timestamp)
    async with world.uow_factory() as uow:
        if prior is None:
            assert await uow.calls.insert(after)
        return await record_event(
            uow, prior, after, event, thresholds, meta or EventMeta(data={"n": 1})
        )


async def test_the_event_is_stored_with_the_call_as_it_left_it() -> None:
    world = World()
    prior = a_call(S.ROUTED)
    given(world, prior)
    meta = EventMeta(data={"wait_time": 12}, event_id="e1", request_hash="h1", correlation_id="r1")

    body = await record(world, prior, facts(E.CALL_ANSWERED, at(12), wait_time=12), meta)

    assert (body.event.seq, body.event.event_id, body.event.data) == (4, "e1", {"wait_time": 12})
    tables = world.db.committed
    assert (tables.call("c1").status, tables.call("c1").last_seq) == (S.ACTIVE, 4)
    [row] = tables.events
    assert (row.event, row.request_hash, row.correlation_id) == (body.event, "h1", "r1")
    assert row.call_after == body.call.model_dump(mode="json")
    async with world.uow_factory() as uow:
        stored = await uow.events.find_by_event_id("e1")
    assert stored is not None
    assert (stored.request_hash, stored.accepted) == ("h1", body)


async def test_a_new_call_is_recorded_after_its_row_was_inserted_in_the_same_unit() -> None:
    world = World()

    body = await record(world, None, facts(E.CALL_INITIATED, T0, media="voice", queue_id=QUEUE))

    assert body.event.seq == 1
    assert world.db.committed.call("c1").status is S.WAITING
    assert world.db.committed.timers_of("c1") == {K.SLA: at(30)}


async def test_the_realtime_message_of_a_transfer_names_the_old_and_the_new_queue() -> None:
    world = World()
    prior = a_call(S.ON_HOLD, hold_started_at=at(5))
    given(world, prior, max_hold=at(65), no_answer=at(99))

    body = await record(
        world,
        prior,
        facts(E.CALL_TRANSFERRED, at(10), to_queue_id=OTHER_QUEUE),
        thresholds=OTHER_LIMITS,
    )

    [row] = world.db.committed.outbox_of("c1")
    envelope = CallEventEnvelope.model_validate(row.payload)
    assert envelope.queue_ids == [QUEUE, OTHER_QUEUE]
    assert envelope.message.call == body.call
    assert world.db.committed.timers_of("c1") == {K.SLA: at(70)}


async def test_an_integration_row_is_written_only_for_a_type_a_webhook_subscribes_to() -> None:
    world = World(webhook_types=("call_routed",))
    prior = a_call(S.WAITING, agent_id=None)
    given(world, prior)

    routed = await record(world, prior, facts(E.CALL_ROUTED, at(1), agent_id="a1", routing_time=1))
    await record(
        world,
        world.db.committed.call("c1"),
        facts(E.CALL_ANSWERED, at(2), wait_time=2),
    )

    [row] = world.db.committed.integration_outbox
    assert row.event_type == "call_routed"
    assert row.payload["event"]["id"] == routed.event.id
    assert len(world.db.committed.outbox_of("c1")) == 2


async def test_an_answer_cancels_the_sla_and_no_answer_timers_of_its_call_only() -> None:
    world = World()
    prior = a_call(S.ROUTED)
    given(world, prior, sla=at(30), no_answer=at(15))
    given(world, a_call(S.WAITING, id="c2", agent_id=None), sla=at(40))

    await record(world, prior, facts(E.CALL_ANSWERED, at(12), wait_time=12))

    assert world.db.committed.timers_of("c1") == {}
    assert world.db.committed.timers_of("c2") == {K.SLA: at(40)}


async def test_routing_again_re_arms_the_no_answer_timer_from_the_new_route() -> None:
    world = World()
    prior = a_call(S.ROUTED)
    given(world, prior, sla=at(30), no_answer=at(15))

    await record(world, prior, facts(E.CALL_ROUTED, at(10), agent_id="a2", routing_time=1))

    assert world.db.committed.timers_of("c1") == {K.SLA: at(30), K.NO_ANSWER: at(25)}


async def test_an_alert_is_stored_with_its_realtime_message_and_its_integration_event() -> None:
    world = World(webhook_types=("alert",))
    prior = a_call(S.ROUTED)
    given(world, prior)
    meta = EventMeta(data={"wait_time": 45}, correlation_id="r1")

    await record(world, prior, facts(E.CALL_ANSWERED, at(45), wait_time=45), meta)

    tables = world.db.committed
    [alert] = tables.alerts
    assert (alert.kind, alert.call_id, alert.queue_id, alert.agent_id, alert.at) == (
        AlertKind.LONG_WAIT,
        "c1",
        QUEUE,
        "agent-1",
        at(45),
    )
    event_row, alert_row = tables.outbox_of("c1")
    assert event_row.kind == "call_event"
    envelope = AlertEnvelope.model_validate(alert_row.payload)
    assert (envelope.message.id, envelope.correlation_id) == (alert.id, "r1")
    assert alert_row.correlation_id == "r1"
    [integration] = tables.integration_outbox
    assert (integration.event_type, integration.payload["alert"]["id"]) == ("alert", alert.id)


async def test_the_agents_numbers_follow_the_call_from_offer_to_end() -> None:
    world = World()
    await world.open_call()

    statuses = []
    steps: list[tuple[float, str, dict[str, Any]]] = [
        (5, "call_routed", {"agent_id": "a1", "routing_time": 5}),
        (8, "call_answered", {"wait_time": 8}),
        (40, "call_ended", {"end_reason": "completed", "duration": 32}),
    ]
    for seconds, event_type, data in steps:
        await world.ingest_at(seconds, event_type, **data)
        statuses.append(world.db.committed.agents["a1"].status)

    assert statuses == [AgentStatus.OFFERED, AgentStatus.ON_CALL, AgentStatus.IDLE]
    agent = world.db.committed.agents["a1"]
    assert (agent.status, agent.current_call_id) == (AgentStatus.IDLE, None)
    assert (agent.offers, agent.answered, agent.wait_total) == (1, 1, 8)
    assert (agent.handled, agent.handle_total, agent.short_calls) == (1, 32, 0)
    assert agent.updated_at == at(40)


async def test_the_end_of_a_call_frees_its_agent_only_if_the_agent_still_holds_it() -> None:
    world = World()
    prior = a_call(S.ACTIVE, agent_id="a1", answered_at=at(1))
    given(world, prior)
    world.db.committed.agents["a1"] = AgentRow("a1", AgentStatus.OFFERED, "c2", T0)

    await record(world, prior, facts(E.CALL_ENDED, at(30), end_reason="completed", duration=29))

    agent = world.db.committed.agents["a1"]
    assert (agent.status, agent.current_call_id, agent.handled) == (AgentStatus.OFFERED, "c2", 1)


@pytest.mark.parametrize(
    ("end_reason", "surveys"), [("completed", 1), ("abandoned", 0)], ids=["completed", "abandoned"]
)
async def test_a_completed_call_requests_a_survey_from_the_webhooks(
    end_reason: str, surveys: int
) -> None:
    world = World(webhook_types=("survey_requested",))
    prior = a_call(S.ACTIVE, answered_at=at(1))
    given(world, prior)

    body = await record(
        world, prior, facts(E.CALL_ENDED, at(30), end_reason=end_reason, duration=29)
    )

    rows = world.db.committed.integration_outbox
    assert len(rows) == surveys
    for row in rows:
        assert row.event_type == "survey_requested"
        assert row.payload["event"]["id"] == body.event.id
        assert row.payload["call"]["status"] == "ended"


async def test_the_event_and_all_it_sets_in_motion_commit_together_or_not_at_all() -> None:
    world = World(webhook_types=("call_answered", "alert"))
    prior = a_call(S.ROUTED)
    given(world, prior, sla=at(30), no_answer=at(15))
    before = world.db.committed.copy()
    world.db.fail_at("alerts.add", ConnectionError("lost the database"))

    with pytest.raises(ConnectionError):
        await record(world, prior, facts(E.CALL_ANSWERED, at(45), wait_time=45))

    # The event, its outbox rows, the agent's numbers and the timer changes were written
    # before the alert failed; all of them went with the rollback.
    assert world.db.statements_named("events.record") == [("c1",)]
    assert world.db.statements_named("agents.apply") == [("c1",)]
    assert world.db.committed == before
