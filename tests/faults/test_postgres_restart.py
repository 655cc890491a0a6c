"""PostgreSQL restarted under load (a private embedded server): 503 and nothing half-written
during the outage, and api, relay and timers recover by themselves."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from devstack.migrations import migrated_database
from devstack.polling import eventually
from devstack.postgres_server import EmbeddedPostgres
from devstack.socket_client import SocketClient
from devstack.stack_for_tests import PRODUCER, running_stack
from devstack.valkey_server import EmbeddedValkey

from .delivery_checks import assert_consistent, assert_each_once_in_order, received_all
from .private_postgres import private_postgres
from .producer import PROBLEM_JSON, Producer
from .queries import PENDING, execute, fetch_one

OUTAGE_S = 3.0
TIMED_QUEUE = "faults_pg_timer"  # SLA 2 s: falls due while the server is down


@pytest.fixture
def postgres() -> Iterator[EmbeddedPostgres]:
    with private_postgres() as server:
        yield server


@pytest.fixture
def database_on_private_server(postgres: EmbeddedPostgres) -> Iterator[str]:
    with migrated_database(postgres.url) as url:
        yield url


async def test_postgres_restarted_under_load_refuses_cleanly_and_everything_recovers(
    postgres: EmbeddedPostgres,
    database_on_private_server: str,
    private_redis: EmbeddedValkey,
    redis_channel: str,
) -> None:
    db = database_on_private_server
    await execute(
        db,
        "INSERT INTO queues (id, name, sla_seconds, no_answer_seconds, max_hold_seconds,"
        " short_call_seconds) VALUES ($1, 'PG timer', 2, 60, 60, 10)",
        TIMED_QUEUE,
    )
    with running_stack(db, private_redis.url, redis_channel) as stack:
        client = SocketClient(stack.realtime_url)
        await client.connect("calls", "alerts")
        producer = Producer(
            stack.api_url, [f"pg-out-{i}" for i in range(5)], interval_s=0.1, retry={0, 500, 503}
        )
        try:
            async with aiohttp.ClientSession() as session:
                timed = {
                    "event_id": "pg-timer-1",
                    "type": "call_initiated",
                    "call_id": "pg-timer",
                    "data": {"media": "voice", "queue_id": TIMED_QUEUE},
                }
                async with session.post(
                    f"{stack.api_url}/api/events", json=timed, headers={"X-API-Key": PRODUCER}
                ) as response:
                    assert response.status == 201
                producer.start(session)
                await client.wait_for(20)

                await asyncio.to_thread(postgres.stop)
                # The point of the outage: the load keeps coming for a while with no database.
                await asyncio.sleep(OUTAGE_S)
                refused_in_outage = sum(1 for s in producer.statuses if s == 503)
                await asyncio.to_thread(postgres.start)

                accepted_at_restart = producer.total
                await eventually(
                    lambda: _more_than(producer, accepted_at_restart + 20), deadline_s=20
                )
                await producer.stop()
                expected = {**producer.accepted, "pg-timer": 2}  # initiated + sla_breached
                await eventually(lambda: received_all(client.by_call, expected), deadline_s=20)
                await client.wait_for_alerts(1)

                async def drained() -> bool:
                    return await fetch_one(db, PENDING) == 0

                await eventually(drained, deadline_s=10)
        finally:
            await producer.stop()
            await client.close()
        processes_alive = {name: p.is_running() for name, p in stack.processes.items()}

    assert processes_alive == dict.fromkeys(processes_alive, True)
    assert refused_in_outage > 0
    # Status 0: the connection to the api itself failed mid-request (retried); every answer
    # the api gave during the outage must be a 503 problem, never a 500.
    refused = [p for p in producer.problems if p[0] != 0]
    assert {(status, content_type) for status, content_type, _ in refused} == {
        (503, PROBLEM_JSON)
    }, refused[:5]
    assert all(json.loads(body)["status"] == 503 for _, _, body in refused)
    assert_each_once_in_order(client.by_call, expected)
    await assert_consistent(db, expected)
    timer_events = await fetch_one(
        db, "SELECT count(*) FROM call_events WHERE call_id = 'pg-timer' AND type = 'sla_breached'"
    )
    alerts = await fetch_one(db, "SELECT count(*) FROM alerts WHERE call_id = 'pg-timer'")
    assert (timer_events, alerts, len(client.alerts)) == (1, 1, 1)


async def _more_than(producer: Any, count: int) -> bool:
    return bool(producer.total > count)
