"""What the fault tests share: a steady producer, database counts and per-call checks.

Every server and process is real; nothing here mocks or patches the system.
"""

import asyncio
import contextlib
import importlib.util
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import asyncpg

from devstack.network import free_port
from devstack.postgres_admin import create_database, drop_database, run_blocking
from devstack.postgres_server import EmbeddedPostgres


def _load_e2e_stack() -> ModuleType:
    """tests/e2e/stack.py (tests/ is no package, so it cannot be imported by name)."""
    name = "faults_e2e_stack"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).parents[1] / "e2e" / "stack.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_stack = _load_e2e_stack()
PRODUCER: str = _stack.PRODUCER
READER: str = _stack.READER
SocketClient = _stack.SocketClient
Stack = _stack.Stack
running_stack = _stack.running_stack

READ_HEADERS = {"X-API-Key": READER}
PROBLEM_JSON = "application/problem+json"


def call_event(call_id: str, index: int, queue_id: str = "medical_spanish") -> dict[str, Any]:
    """The `index`-th event of a call that can go on for ever: initiated, routed, answered,
    then hold / resumed in turn. `event_id` makes a retried post idempotent."""
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("call_initiated", {"media": "voice", "queue_id": queue_id}),
        ("call_routed", {"agent_id": f"agent-{call_id}", "routing_time": 1.0}),
        ("call_answered", {"wait_time": 3}),
    ]
    kind, data = (
        kinds[index] if index < 3 else (("call_hold", {}), ("call_resumed", {}))[(index - 3) % 2]
    )
    return {"event_id": f"{call_id}-{index + 1}", "type": kind, "call_id": call_id, "data": data}


@dataclass
class Producer:
    """Posts events for several calls at a steady rate, each call in order.

    Like a real producer it retries a post answered 503 (or not answered at all) with the
    same `event_id` until it is accepted, so `accepted[call]` is exactly the number of
    events the call must end up with.
    """

    api_url: str
    call_ids: Sequence[str]
    interval_s: float = 0.1
    """Pause between two events of one call: the total rate is len(call_ids) / interval_s."""
    queue_id: str = "medical_spanish"
    retry_deadline_s: float = 30.0
    retry: frozenset[int] | set[int] = frozenset({0, 503})
    """Answers retried with the same event_id (0: no answer)."""
    statuses: list[int] = field(default_factory=list)
    """Every answer, in order, including the 503s that were retried (0: no answer)."""
    problems: list[tuple[int, str, Any]] = field(default_factory=list)
    """(status, content type, body) of every answer other than 200/201."""
    accepted: dict[str, int] = field(default_factory=dict)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self, session: aiohttp.ClientSession) -> None:
        for call_id in self.call_ids:
            self.accepted[call_id] = 0
            self._tasks.append(asyncio.create_task(self._post_call(session, call_id)))

    async def stop(self) -> None:
        """Stop after each call's post in flight is accepted; re-raise what a task raised."""
        self._stop.set()
        await asyncio.gather(*self._tasks)

    @property
    def total(self) -> int:
        return sum(self.accepted.values())

    async def _post_call(self, session: aiohttp.ClientSession, call_id: str) -> None:
        index = 0
        while not self._stop.is_set():
            body = call_event(call_id, index, self.queue_id)
            await self._post_until_accepted(session, body)
            index += 1
            self.accepted[call_id] = index
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval_s)

    async def _post_until_accepted(
        self, session: aiohttp.ClientSession, body: dict[str, Any]
    ) -> None:
        give_up = time.monotonic() + self.retry_deadline_s
        while True:
            status = await self._post(session, body)
            if status in (200, 201):
                return
            if status not in self.retry or time.monotonic() > give_up:
                raise AssertionError(f"{body['event_id']}: answered {status}: {self.problems[-1:]}")
            await asyncio.sleep(0.05)  # a producer's retry pause

    async def _post(self, session: aiohttp.ClientSession, body: dict[str, Any]) -> int:
        try:
            async with session.post(
                f"{self.api_url}/api/events",
                json=body,
                headers={"X-API-Key": PRODUCER},
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                status = response.status
                if status not in (200, 201):
                    text = await response.text()
                    self.problems.append((status, response.content_type, text))
        except (aiohttp.ClientError, TimeoutError) as exc:
            status = 0
            self.problems.append((0, type(exc).__name__, str(exc)))
        self.statuses.append(status)
        return status


def assert_each_once_in_order(
    by_call: Mapping[str, list[int]], expected: Mapping[str, int]
) -> None:
    """Per call, the seqs received are exactly 1..n: nothing lost, repeated or reordered."""
    wrong = {
        call_id: by_call.get(call_id, [])
        for call_id, count in expected.items()
        if by_call.get(call_id, []) != list(range(1, count + 1))
    }
    assert not wrong, (
        f"calls not received as 1..n: { {c: (expected[c], s) for c, s in wrong.items()} }"
    )
    extra = set(by_call) - set(expected)
    assert not extra, f"events of unexpected calls: {extra}"


async def received_all(by_call: Mapping[str, list[int]], expected: Mapping[str, int]) -> bool:
    return all(len(by_call.get(call_id, [])) >= n for call_id, n in expected.items())


async def fetch_one(database_url: str, query: str, *args: Any) -> Any:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


async def fetch_rows(database_url: str, query: str, *args: Any) -> list[Any]:
    conn = await asyncpg.connect(database_url)
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def execute(database_url: str, statement: str, *args: Any) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(statement, *args)
    finally:
        await conn.close()


PENDING = "SELECT count(*) FROM outbox WHERE published_at IS NULL"

CONSISTENCY = """
SELECT c.id, c.last_seq, count(e.id) AS events, min(e.seq) AS min_seq, max(e.seq) AS max_seq,
       count(o.id) AS outboxed
FROM calls c
LEFT JOIN call_events e ON e.call_id = c.id
LEFT JOIN outbox o ON o.kind = 'call_event'
                  AND o.payload -> 'message' -> 'event' ->> 'id' = e.id::text
GROUP BY c.id, c.last_seq
ORDER BY c.id
"""


async def assert_consistent(database_url: str, expected: Mapping[str, int]) -> None:
    """Every accepted event is stored once, with its outbox row and its call's update, and
    nothing else is: `last_seq` = number of events = number of outbox rows = accepted."""
    rows = await fetch_rows(database_url, CONSISTENCY)
    found = {
        r["id"]: (r["last_seq"], r["events"], r["min_seq"], r["max_seq"], r["outboxed"])
        for r in rows
    }
    want = {call_id: (n, n, 1, n, n) for call_id, n in expected.items()}
    assert found == want


@contextlib.contextmanager
def private_postgres() -> Iterator[EmbeddedPostgres]:
    """An embedded PostgreSQL of the test's own (never the machine's shared server), which the
    test may `.stop()` and `.start()` again on the same port."""
    root = Path(tempfile.mkdtemp(prefix="faults-pg-"))
    root.chmod(0o711)  # as root, the embedded PostgreSQL runs as another user
    server = EmbeddedPostgres(root / "data", free_port(), durable=False)
    try:
        server.start()
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def migrated_database(server_url: str) -> Iterator[str]:
    from call_service.migrate import apply_migrations

    name = f"faults_{uuid.uuid4().hex}"
    url = create_database(server_url, name)
    try:
        run_blocking(lambda: apply_migrations(url))
        yield url
    finally:
        with contextlib.suppress(Exception):
            drop_database(server_url, name)
