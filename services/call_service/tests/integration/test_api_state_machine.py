"""Random event sequences at the real HTTP API, checked against the lifecycle's invariants.

The real app (aiohttp test client) on a fresh, migrated database and the test Redis. A
hypothesis state machine posts random events (every type, system ones included, which a
producer may not post; random data and timestamps; transfers to missing queues; replays of an
`event_id` with the same and with other content) over a few calls, keeps its own model of each
call from the contract's table, and checks after each step:

- every answer is 201/200/404/409/422, never a 5xx, and the one the table predicts;
- the call's `last_seq` equals the number of 201s it got, and its status is the model's;
- `GET /api/calls/{id}/events` lists seqs exactly 1..n;
- an ended call refuses everything afterwards with 409.

Hypothesis is synchronous and the client lives on the test's event loop, so the machine runs
in a worker thread and hands each request to that loop.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from call_service.api.app import create_app
from call_service.domain import state_machine
from contracts.enums import CallStatus, EventType

from .conftest import PRODUCER, READER, make_settings

E, S = EventType, CallStatus
T = TypeVar("T")
ALLOWED_ANSWERS = {200, 201, 404, 409, 422}
SYSTEM_EVENTS = {E.SLA_BREACHED, E.CALL_RETRANSFER, E.HOLD_EXCEEDED}
QUEUES = ["medical_spanish", "legal_english"]
MISSING_QUEUE = "no_such_queue"
CALLS = 3

seconds = st.floats(min_value=0, max_value=600, allow_nan=False, allow_infinity=False)
agents = st.sampled_from(["agent-1", "agent-2"])
any_queue = st.sampled_from([*QUEUES, MISSING_QUEUE])
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
timestamps = st.none() | st.integers(-3600, 3600).map(
    lambda s: (T0 + timedelta(seconds=s)).isoformat()
)


def data_for(
    event_type: EventType, *, existing_queues_only: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    queues = st.sampled_from(QUEUES) if existing_queues_only else any_queue
    match event_type:
        case E.CALL_INITIATED:
            return st.fixed_dictionaries(
                {"media": st.sampled_from(["voice", "video"]), "queue_id": queues}
            )
        case E.CALL_ROUTED:
            return st.fixed_dictionaries({"agent_id": agents, "routing_time": seconds})
        case E.CALL_ANSWERED:
            return st.fixed_dictionaries({"wait_time": seconds})
        case E.CALL_HOLD:
            return st.just({}) | st.fixed_dictionaries({"hold_duration": seconds})
        case E.CALL_TRANSFERRED:
            return st.fixed_dictionaries({"to_agent_id": agents}) | st.fixed_dictionaries(
                {"to_queue_id": queues}
            )
        case E.CALL_ENDED:
            return st.fixed_dictionaries(
                {
                    "end_reason": st.sampled_from(["completed", "abandoned", "failed"]),
                    "duration": seconds,
                }
            )
        case _:
            return st.just({})


@dataclass
class CallModel:
    status: CallStatus | None = None
    accepted: int = 0
    accepted_bodies: list[dict[str, Any]] = field(default_factory=list)


def expected_answers(model: CallModel, body: dict[str, Any]) -> set[int]:
    """What the contract says this post must get, from the model alone."""
    event_type = EventType(body["type"])
    data = body["data"]
    if event_type in SYSTEM_EVENTS:
        return {422}  # a producer may not post them
    missing_queue = MISSING_QUEUE in (data.get("queue_id"), data.get("to_queue_id"))
    if event_type is E.CALL_INITIATED:
        if model.status is not None:
            return {409, 422} if missing_queue else {409}
        return {422} if missing_queue else {201}
    if model.status is None:
        return {404, 422} if missing_queue else {404}
    if model.status not in state_machine.ALLOWED_FROM[event_type]:
        return {409, 422} if missing_queue else {409}
    return {422} if missing_queue else {201}


class ApiLifecycle(RuleBasedStateMachine):
    # Set by the test before the machine runs.
    client: TestClient[Any, Any]
    loop: asyncio.AbstractEventLoop

    def __init__(self) -> None:
        super().__init__()
        run = uuid.uuid4().hex[:10]
        self.call_ids = [f"sm-{run}-{i}" for i in range(CALLS)]
        self.models = {call_id: CallModel() for call_id in self.call_ids}
        self.touched: str | None = None

    def _await(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def _post(self, body: dict[str, Any]) -> tuple[int, Any]:
        async def go() -> tuple[int, Any]:
            response = await self.client.post(
                "/api/events", json=body, headers={"X-API-Key": PRODUCER}
            )
            return response.status, await response.json(content_type=None)

        return self._await(go())

    def _get(self, path: str) -> tuple[int, Any]:
        async def go() -> tuple[int, Any]:
            response = await self.client.get(path, headers={"X-API-Key": READER})
            return response.status, await response.json(content_type=None)

        return self._await(go())

    def _send(self, body: dict[str, Any]) -> None:
        model = self.models[body["call_id"]]
        expected = expected_answers(model, body)
        status, answer = self._post(body)
        assert status in ALLOWED_ANSWERS, (status, body, answer)
        assert status in expected, (status, expected, model.status, body, answer)
        if model.status is S.ENDED:
            assert status in {409, 422}, ("ended is final", status, body)
        if status == 201:
            model.accepted += 1
            model.accepted_bodies.append(body)
            assert answer["event"]["seq"] == model.accepted
            assert answer["call"]["last_seq"] == model.accepted
            event_type = EventType(body["type"])
            model.status = (
                S.WAITING
                if event_type is E.CALL_INITIATED
                else state_machine.target_status(
                    event_type,
                    model.status or S.WAITING,
                    to_queue="to_queue_id" in body["data"],
                )
            )
            assert answer["call"]["status"] == model.status.value
        self.touched = body["call_id"]

    @initialize()
    def nothing_exists_yet(self) -> None:
        for call_id in self.call_ids:
            status, _ = self._get(f"/api/calls/{call_id}")
            assert status == 404

    @rule(i=st.integers(0, CALLS - 1), pick=st.data(), at=timestamps)
    def advance(self, i: int, pick: st.DataObject, at: str | None) -> None:
        """A move the table allows from the model's status, so long lives are common.

        Later-life moves come first: hypothesis favours the first choices.
        """
        status = self.models[self.call_ids[i]].status
        if status is None:
            choices = [E.CALL_INITIATED]
        else:
            choices = [
                t
                for t, allowed in state_machine.ALLOWED_FROM.items()
                if status in allowed and t not in SYSTEM_EVENTS
            ][::-1] or [E.CALL_ENDED]  # ended: anything, to see it refused
        if E.CALL_ENDED in choices and len(choices) > 1 and pick.draw(st.integers(0, 5)) < 5:
            choices.remove(E.CALL_ENDED)  # end one time in six, so calls get to hold, transfer
        event_type = pick.draw(st.sampled_from(choices))
        data = pick.draw(data_for(event_type, existing_queues_only=True))
        body = self._body(event_type, i, data, at)
        body["event_id"] = f"ev-{uuid.uuid4().hex}"
        self._send(body)

    @rule(
        i=st.integers(0, CALLS - 1),
        event=st.sampled_from(EventType).flatmap(lambda t: st.tuples(st.just(t), data_for(t))),
        at=timestamps,
        with_id=st.booleans(),
    )
    def post_event(
        self, i: int, event: tuple[EventType, dict[str, Any]], at: str | None, with_id: bool
    ) -> None:
        event_type, data = event
        body = self._body(event_type, i, data, at)
        if with_id:
            body["event_id"] = f"ev-{uuid.uuid4().hex}"
        self._send(body)

    @rule(i=st.integers(0, CALLS - 1), same=st.booleans())
    def replay(self, i: int, same: bool) -> None:
        """Re-post an accepted event by its `event_id`: 200 with nothing written, or 409."""
        model = self.models[self.call_ids[i]]
        with_ids = [b for b in model.accepted_bodies if "event_id" in b]
        if not with_ids:
            return
        original = with_ids[-1]
        # Other content: a timestamp outside the range the rules draw from.
        body = original if same else {**original, "timestamp": (T0 - timedelta(days=2)).isoformat()}
        status, answer = self._post(body)
        assert status == (200 if same else 409), (status, body, answer)
        if same:
            assert answer["call"]["last_seq"] >= answer["event"]["seq"]
        self.touched = original["call_id"]

    def _body(
        self, event_type: EventType, i: int, data: dict[str, Any], at: str | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"type": event_type.value, "call_id": self.call_ids[i], "data": data}
        if at is not None:
            body["timestamp"] = at
        return body

    def _check_call(self, call_id: str) -> None:
        model = self.models[call_id]
        status, call = self._get(f"/api/calls/{call_id}")
        if model.status is None:
            assert status == 404, (status, call)
            return
        assert status == 200, (status, call)
        assert call["last_seq"] == model.accepted
        assert call["status"] == model.status.value
        status, events = self._get(f"/api/calls/{call_id}/events")
        assert status == 200
        assert [e["seq"] for e in events["data"]] == list(range(1, model.accepted + 1))
        assert [e["type"] for e in events["data"]] == [b["type"] for b in model.accepted_bodies]

    @invariant()
    def touched_call_matches_the_model(self) -> None:
        if self.touched is not None:
            self._check_call(self.touched)
            self.touched = None

    def teardown(self) -> None:
        for call_id in self.call_ids:
            self._check_call(call_id)


API_SETTINGS = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
async def fresh_client(
    fresh_database_url: str,
    redis_url: str,
    redis_channel: str,
    aiohttp_client: Callable[[Any], Awaitable[TestClient[Any, Any]]],
) -> TestClient[Any, Any]:
    app_settings = make_settings(
        fresh_database_url,
        redis_url,
        REDIS_CHANNEL=redis_channel,
        RATE_LIMIT_PER_S="100000",
        RATE_LIMIT_BURST="100000",
    )
    return await aiohttp_client(create_app(app_settings))


@pytest.mark.timeout(90)
async def test_random_event_sequences_keep_the_invariants(
    fresh_client: TestClient[Any, Any],
) -> None:
    ApiLifecycle.client = fresh_client
    ApiLifecycle.loop = asyncio.get_running_loop()
    await asyncio.to_thread(run_state_machine_as_test, ApiLifecycle, settings=API_SETTINGS)
