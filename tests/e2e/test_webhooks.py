"""End to end: a completed call → survey_requested → the webhook worker → a real HTTP receiver.

The worker is the real `python -m call_service.webhooks` subprocess; receivers are
aiohttp servers on 127.0.0.1. The call service runs in this process on a real port, so
events take the real ingest path: one transaction writes the event and the
integration outbox row.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from call_service.api.app import create_app
from call_service.settings import load_settings
from devstack.managed_process import ManagedProcess
from devstack.network import free_port
from devstack.polling import eventually
from service_kit.webhook_signing import verify_signature

PRODUCER, ADMIN = "wh-producer", "wh-admin"
API_KEYS = f"{PRODUCER}:events:write,{ADMIN}:admin"
# The receivers listen on loopback, which webhooks may only reach when it is allowed.
ALLOWED_HOSTS = {"WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}


@dataclass
class Receiver:
    """Answers each POST with the next of `statuses` (then `status`), after `delay_s`."""

    statuses: list[int] = field(default_factory=list)
    status: int = 204
    delay_s: float = 0.0
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/calls"

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        await asyncio.sleep(self.delay_s)
        return web.Response(status=self.statuses.pop(0) if self.statuses else self.status)

    async def received(self, count: int = 1) -> bool:
        return len(self.requests) >= count


@pytest.fixture
async def serve() -> AsyncIterator[Any]:
    runners: list[web.AppRunner] = []

    async def start(receiver: Receiver) -> Receiver:
        app = web.Application()
        app.router.add_post("/hooks/calls", receiver.handle)
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", receiver.port).start()
        runners.append(runner)
        return receiver

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def api(fresh_database_url: str, redis_url: str) -> AsyncIterator[str]:
    env = {"DATABASE_URL": fresh_database_url, "REDIS_URL": redis_url, "API_KEYS": API_KEYS}
    app = create_app(load_settings({**env, **ALLOWED_HOSTS}))
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


def worker_env(database_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "WEBHOOK_BACKOFF_S": "0.2",
        "WEBHOOK_TIMEOUT_S": "1",
        "WEBHOOK_CONCURRENCY": "1",
        "WEBHOOK_POLL_INTERVAL_S": "0.5",
        "WEBHOOK_SHUTDOWN_GRACE_S": "0.5",
    }


@pytest.fixture
def worker(fresh_database_url: str) -> Iterator[ManagedProcess]:
    env = {**worker_env(fresh_database_url), **ALLOWED_HOSTS}
    with ManagedProcess("webhooks", "call_service.webhooks", env) as process:
        yield process


@pytest.fixture
def strict_worker(fresh_database_url: str) -> Iterator[ManagedProcess]:
    """A worker that allows nothing but public addresses (WEBHOOK_ALLOWED_HOSTS unset)."""
    env = {**worker_env(fresh_database_url), "WEBHOOK_ATTEMPTS": "1"}
    with ManagedProcess("webhooks", "call_service.webhooks", env) as process:
        yield process


class Admin:
    def __init__(self, session: aiohttp.ClientSession, api: str) -> None:
        self.session, self.api = session, api

    async def register(self, receiver: Receiver) -> dict[str, Any]:
        body = {"url": receiver.url, "event_types": ["survey_requested"]}
        async with self.session.post(
            f"{self.api}/api/webhooks", json=body, headers={"X-API-Key": ADMIN}
        ) as response:
            assert response.status == 201, await response.text()
            return dict(await response.json())

    async def complete_call(self) -> str:
        call_id = f"wh-{uuid.uuid4().hex[:10]}"
        for kind, data in [
            ("call_initiated", {"media": "voice", "queue_id": "medical_spanish"}),
            ("call_routed", {"agent_id": "agent-1", "routing_time": 1}),
            ("call_answered", {"wait_time": 3}),
            ("call_ended", {"end_reason": "completed", "duration": 120}),
        ]:
            body = {"type": kind, "call_id": call_id, "data": data}
            async with self.session.post(
                f"{self.api}/api/events", json=body, headers={"X-API-Key": PRODUCER}
            ) as response:
                assert response.status == 201, await response.text()
        return call_id

    async def deliveries(self, webhook_id: str) -> list[dict[str, Any]]:
        async with self.session.get(
            f"{self.api}/api/webhooks/{webhook_id}/deliveries", headers={"X-API-Key": ADMIN}
        ) as response:
            assert response.status == 200
            return list((await response.json())["data"])

    async def delivery_with(self, webhook_id: str, status: str, attempts: int) -> Any:
        deliveries = await self.deliveries(webhook_id)
        done = [
            d for d in deliveries if d["status"] == status and len(d["attempts_log"]) == attempts
        ]
        return done[0] if done else None


@pytest.fixture
async def admin(api: str) -> AsyncIterator[Admin]:
    async with aiohttp.ClientSession() as session:
        yield Admin(session, api)


async def test_a_completed_call_reaches_a_receiver_as_a_signed_survey_request(
    admin: Admin, serve: Any, worker: ManagedProcess
) -> None:
    receiver = await serve(Receiver())
    webhook = await admin.register(receiver)
    call_id = await admin.complete_call()
    await eventually(receiver.received, deadline_s=10)
    headers, body = receiver.requests[0]
    assert verify_signature(
        webhook["secret"], headers["X-Webhook-Timestamp"], body, headers["X-Webhook-Signature"]
    )
    event = json.loads(body)
    assert (event["type"], event["call"]["id"]) == ("survey_requested", call_id)
    assert event["event"]["type"] == "call_ended"
    assert headers["X-Webhook-Event"] == "survey_requested"
    delivered = await eventually(lambda: admin.delivery_with(webhook["id"], "delivered", 1))
    assert headers["X-Webhook-Id"] == delivered["id"]
    assert webhook["secret"] not in "\n".join(worker.recent_output())


async def test_a_receiver_that_fails_twice_gets_it_on_the_third_attempt(
    admin: Admin, serve: Any, worker: ManagedProcess
) -> None:
    receiver = await serve(Receiver(statuses=[500, 503]))
    webhook = await admin.register(receiver)
    await admin.complete_call()
    delivered = await eventually(lambda: admin.delivery_with(webhook["id"], "delivered", 3))
    assert [a["status_code"] for a in delivered["attempts_log"]] == [500, 503, 204]
    assert len({h["X-Webhook-Id"] for h, _ in receiver.requests}) == 1
    for headers, body in receiver.requests:
        assert verify_signature(
            webhook["secret"], headers["X-Webhook-Timestamp"], body, headers["X-Webhook-Signature"]
        )


async def test_a_receiver_that_always_fails_leaves_a_dead_letter_that_redelivers(
    admin: Admin, serve: Any, worker: ManagedProcess
) -> None:
    receiver = await serve(Receiver(status=500))
    webhook = await admin.register(receiver)
    await admin.complete_call()
    dead = await eventually(lambda: admin.delivery_with(webhook["id"], "dead", 3))
    assert dead["last_status_code"] == 500
    receiver.status = 200
    redeliver = f"{admin.api}/api/webhooks/{webhook['id']}/deliveries/{dead['id']}/redeliver"
    async with admin.session.post(redeliver, headers={"X-API-Key": ADMIN}) as response:
        assert response.status == 202
    delivered = await eventually(lambda: admin.delivery_with(webhook["id"], "delivered", 4))
    assert [a["status_code"] for a in delivered["attempts_log"]] == [500, 500, 500, 200]
    assert receiver.requests[3][1] == receiver.requests[0][1]  # the same event, again


async def test_a_slow_receiver_does_not_delay_a_fast_one(
    admin: Admin, serve: Any, worker: ManagedProcess
) -> None:
    slow = await serve(Receiver(delay_s=30))  # every attempt hits the 1 s timeout
    fast = await serve(Receiver())
    await admin.register(slow)
    await admin.register(fast)
    for _ in range(3):
        await admin.complete_call()
    await eventually(lambda: fast.received(3), deadline_s=3)
    # One send at a time per webhook: the slow one is still on its first event.
    assert len({h["X-Webhook-Id"] for h, _ in slow.requests}) == 1


async def test_internal_targets_are_refused_at_registration_and_again_at_delivery(
    admin: Admin, serve: Any, strict_worker: ManagedProcess
) -> None:
    body = {"url": "http://169.254.169.254/latest/meta-data/", "event_types": ["alert"]}
    async with admin.session.post(
        f"{admin.api}/api/webhooks", json=body, headers={"X-API-Key": ADMIN}
    ) as response:
        assert response.status == 422
        assert [e["loc"] for e in (await response.json())["errors"]] == [["url"]]
    receiver = await serve(Receiver())
    webhook = await admin.register(receiver)  # the api allows 127.0.0.1, this worker does not
    await admin.complete_call()
    dead = await eventually(lambda: admin.delivery_with(webhook["id"], "dead", 1))
    assert dead["attempts_log"][0]["error"] == "target address not allowed"
    assert dead["attempts_log"][0]["status_code"] is None
    assert receiver.requests == []
