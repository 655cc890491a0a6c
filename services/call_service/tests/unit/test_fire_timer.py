"""fire_timer on the in-memory fakes: a due timer writes its system event once, if still due."""

import asyncio

import pytest

from call_service.domain.timers import TimerKind
from call_service.service.fire_timer import fire_timer
from call_service.service.queue_thresholds import QueueVanished
from contracts.calls import EventAccepted
from contracts.enums import AgentStatus, AlertKind, CallFlag, CallStatus, EventType

from .use_case_builders import OTHER_QUEUE, QUEUE, World, at

S, E, K = CallStatus, EventType, TimerKind


async def fire(world: World, kind: TimerKind, call_id: str = "c1") -> EventAccepted | None:
    return await fire_timer(world.uow_factory, world.clock_port, call_id, kind)


async def test_a_due_sla_timer_writes_sla_breached_with_its_flag_and_alert() -> None:
    world = World()
    await world.open_call()
    world.clock.set(at(30))

    fired = await fire(world, K.SLA)

    assert fired is not None
    assert (fired.event.type, fired.event.seq) == (E.SLA_BREACHED, 2)
    assert fired.event.data == {"timer": "sla", "due_at": at(30).isoformat()}
    tables = world.db.committed
    call = tables.call("c1")
    assert (call.status, call.flags) == (S.WAITING, (CallFlag.SLA_BREACHED,))
    assert tables.timers_of("c1") == {}
    assert [(a.kind, a.call_id) for a in tables.alerts] == [(AlertKind.SLA_BREACHED, "c1")]
    rows = tables.outbox_of("c1")[1:]
    assert [r.kind for r in rows] == ["call_event", "alert"]
    assert all(r.correlation_id and r.correlation_id.startswith("timer-") for r in rows)


async def test_a_fired_timer_fires_no_second_time() -> None:
    world = World()
    await world.open_call()
    world.clock.set(at(30))
    await fire(world, K.SLA)
    before = world.db.committed.copy()
    world.clock.advance(60)

    assert await fire(world, K.SLA) is None
    assert world.db.committed == before


async def test_two_workers_firing_the_same_timer_write_one_event() -> None:
    world = World()
    await world.open_call()
    world.clock.set(at(30))
    world.db.yield_at_each_statement = True

    results = await asyncio.gather(fire(world, K.SLA), fire(world, K.SLA))

    assert sorted(r is None for r in results) == [False, True]
    assert [e.type for e in world.db.committed.events_of("c1")] == [
        E.CALL_INITIATED,
        E.SLA_BREACHED,
    ]


async def test_a_timer_not_yet_due_fires_nothing_and_stays_armed() -> None:
    world = World()
    await world.open_call()
    world.clock.set(at(29.9))

    assert await fire(world, K.SLA) is None
    assert world.db.committed.timers_of("c1") == {K.SLA: at(30)}
    assert world.db.committed.call("c1").last_seq == 1


async def test_a_call_answered_before_its_sla_fires_nothing() -> None:
    world = World()
    await world.open_call()
    await world.ingest_at(5, "call_routed", agent_id="a1", routing_time=5)
    await world.ingest_at(10, "call_answered", wait_time=10)
    world.clock.set(at(30))

    assert await fire(world, K.SLA) is None
    assert await fire(world, K.NO_ANSWER) is None
    assert world.db.committed.call("c1").last_seq == 3


async def test_a_timer_left_for_a_call_that_moved_on_is_consumed_without_an_event() -> None:
    world = World()
    await world.open_call()
    await world.ingest_at(5, "call_routed", agent_id="a1", routing_time=5)
    await world.ingest_at(10, "call_answered", wait_time=10)
    world.db.committed.timers[("c1", K.SLA)] = at(30)  # as if it raced the answer
    world.clock.set(at(30))

    assert await fire(world, K.SLA) is None
    assert world.db.committed.timers_of("c1") == {}
    assert world.db.committed.call("c1").last_seq == 3
    assert world.db.committed.alerts == []


async def test_a_due_no_answer_timer_retransfers_the_call_and_counts_a_miss() -> None:
    world = World()
    await world.open_call()
    await world.ingest_at(5, "call_routed", agent_id="a1", routing_time=5)
    world.clock.set(at(20))

    fired = await fire(world, K.NO_ANSWER)

    assert fired is not None
    assert fired.event.type is E.CALL_RETRANSFER
    tables = world.db.committed
    call = tables.call("c1")
    assert (call.status, call.agent_id) == (S.WAITING, None)
    agent = tables.agents["a1"]
    assert (agent.status, agent.current_call_id, agent.missed) == (AgentStatus.IDLE, None, 1)
    assert [(a.kind, a.agent_id) for a in tables.alerts] == [(AlertKind.NO_ANSWER_REROUTE, "a1")]
    assert tables.timers_of("c1") == {K.SLA: at(30)}, "the SLA clock keeps running"


async def test_a_due_max_hold_timer_writes_hold_exceeded() -> None:
    world = World()
    await world.open_call()
    await world.ingest_at(1, "call_routed", agent_id="a1", routing_time=1)
    await world.ingest_at(2, "call_answered", wait_time=2)
    await world.ingest_at(10, "call_hold")
    world.clock.set(at(70))

    fired = await fire(world, K.MAX_HOLD)

    assert fired is not None
    assert fired.event.type is E.HOLD_EXCEEDED
    call = world.db.committed.call("c1")
    assert (call.status, call.flags) == (S.ON_HOLD, (CallFlag.HOLD_EXCEEDED,))
    assert [a.kind for a in world.db.committed.alerts] == [AlertKind.HOLD_EXCEEDED]


async def test_the_timer_applies_the_thresholds_of_the_queue_the_call_is_in_now() -> None:
    world = World()
    await world.open_call()
    await world.ingest_at(1, "call_routed", agent_id="a1", routing_time=1)
    await world.ingest_at(2, "call_answered", wait_time=2)
    await world.ingest_at(10, "call_transferred", to_queue_id=OTHER_QUEUE)
    assert world.db.committed.timers_of("c1") == {K.SLA: at(70)}
    world.clock.set(at(70))

    fired = await fire(world, K.SLA)

    assert fired is not None
    [alert] = world.db.committed.alerts
    assert (alert.queue_id, alert.detail) == (OTHER_QUEUE, "not answered within the 60 s SLA")


async def test_a_busy_call_is_left_for_the_next_tick() -> None:
    world = World()
    await world.open_call()
    world.clock.set(at(30))
    world.db.hold_elsewhere("c1")

    assert await fire(world, K.SLA) is None
    assert world.db.committed.timers_of("c1") == {K.SLA: at(30)}

    world.db.release_elsewhere("c1")
    assert await fire(world, K.SLA) is not None


async def test_a_timer_of_a_missing_call_fires_nothing() -> None:
    world = World()

    assert await fire(world, K.SLA, "ghost") is None
    assert world.db.committed == World().db.committed


async def test_a_timer_whose_queue_vanished_is_put_back_by_the_rollback() -> None:
    world = World()
    await world.open_call()
    world.clock.set(at(30))
    del world.db.queues[QUEUE]
    before = world.db.committed.copy()

    with pytest.raises(QueueVanished):
        await fire(world, K.SLA)

    assert world.db.committed == before
    assert world.db.committed.timers_of("c1") == {K.SLA: at(30)}


async def test_a_fired_timer_reaches_the_webhooks_that_subscribe_to_it() -> None:
    world = World(webhook_types=("sla_breached", "alert"))
    await world.open_call()
    world.clock.set(at(30))

    await fire(world, K.SLA)

    assert [r.event_type for r in world.db.committed.integration_outbox] == [
        "sla_breached",
        "alert",
    ]
