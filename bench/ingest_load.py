"""Closed-loop ingest: a fixed number of requests always in flight, accepted events per second.

Runs in a child process (see children.py). Three shapes:

- `distinct`: `call_initiated` for a new call per request (no two requests touch one row);
- `hot`: `call_routed` spread round-robin over 16 routed calls, so ~concurrency/16 requests
  queue on each call's row lock (`SELECT … FOR UPDATE`), as a burst on a few calls would;
- `batch`: `POST /api/events/batch` with 500 `call_initiated` of new calls each (100 in the
  smoke run).

Bodies are bytes built by one f-string each (no json.dumps per request), answers are not
decoded except a batch's results. A warm-up round (same shape, not counted) opens the
connections and warms the server; then every worker starts at t0 and posts until
t0 + seconds, the requests in flight finish, and the rate is accepted events / (last answer
- t0) — whole requests only, which matters for batches that take seconds each.
"""

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from typing import Any

import aiohttp
from children import result_of, start_child
from context import Sizes, System, latency_ms, wait_outbox_empty

QUEUES = ("medical_spanish", "medical_english", "legal_spanish", "legal_english")
HOT_CALLS = 16
REQUEST_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class LoadSpec:
    api_url: str
    key: str
    shape: str  # "distinct" | "hot" | "batch"
    concurrency: int
    seconds: float
    warmup_s: float
    prefix: str
    batch_events: int = 500


def initiated(call_id: str, n: int) -> bytes:
    queue = QUEUES[n % len(QUEUES)]
    return (
        f'{{"event_id":"{call_id}-1","type":"call_initiated","call_id":"{call_id}",'
        f'"data":{{"media":"voice","queue_id":"{queue}"}}}}'
    ).encode()


def routed(prefix: str, n: int) -> bytes:
    k = n % HOT_CALLS
    return (
        f'{{"event_id":"{prefix}-r{n}","type":"call_routed","call_id":"{prefix}-hot-{k}",'
        f'"data":{{"agent_id":"{prefix}-agent-{k}","routing_time":1}}}}'
    ).encode()


def batch(prefix: str, n: int, size: int) -> bytes:
    first = n * size
    events = b",".join(initiated(f"{prefix}-{i}", i) for i in range(first, first + size))
    return b'{"events":[' + events + b"]}"


class Load:
    def __init__(self, spec: LoadSpec, session: aiohttp.ClientSession) -> None:
        self.spec = spec
        self.session = session
        self.counter = 0
        self.statuses: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.accepted = 0
        self.requests = 0
        self.errors: list[str] = []
        path = "/api/events/batch" if spec.shape == "batch" else "/api/events"
        self.url = spec.api_url + path
        self.headers = {"Content-Type": "application/json", "X-API-Key": spec.key}

    def body(self) -> bytes:
        n = self.counter
        self.counter += 1
        if self.spec.shape == "distinct":
            return initiated(f"{self.spec.prefix}-{n}", n)
        if self.spec.shape == "hot":
            return routed(self.spec.prefix, n)
        return batch(self.spec.prefix, n, self.spec.batch_events)

    async def post(self, body: bytes) -> tuple[int, bytes]:
        async with self.session.post(self.url, data=body, headers=self.headers) as response:
            return response.status, await response.read()

    async def setup(self) -> None:
        """The hot calls: initiated, then routed once (a routed call may be routed again)."""
        if self.spec.shape != "hot":
            return
        for k in range(HOT_CALLS):
            call_id = f"{self.spec.prefix}-hot-{k}"
            for body in (
                initiated(call_id, k),
                (
                    f'{{"type":"call_routed","call_id":"{call_id}",'
                    f'"data":{{"agent_id":"{self.spec.prefix}-agent-{k}","routing_time":1}}}}'
                ).encode(),
            ):
                status, answer = await self.post(body)
                if status != 201:
                    raise RuntimeError(f"hot call setup: {status} {answer[:200]!r}")

    async def round(self, seconds: float, *, counted: bool) -> float:
        """Every worker posts for `seconds`; the time from the start to the last answer."""
        began = time.monotonic()
        end_at = began + seconds
        await asyncio.gather(*(self.worker(end_at, counted) for _ in range(self.spec.concurrency)))
        return time.monotonic() - began

    async def worker(self, end_at: float, counted: bool) -> None:
        while time.monotonic() < end_at:
            body = self.body()
            start = time.monotonic()
            try:
                status, answer = await self.post(body)
            except (aiohttp.ClientError, TimeoutError) as exc:
                status, answer = 0, f"{type(exc).__name__}: {exc}".encode()
            end = time.monotonic()
            if not counted:
                continue
            self.requests += 1
            self.latencies.append(end - start)
            self.statuses[str(status)] += 1
            if status == 201:
                self.accepted += 1
            elif status == 200 and self.spec.shape == "batch":
                results = json.loads(answer)["results"]
                self.accepted += sum(1 for r in results if r["status"] == 201)
                refused = Counter(str(r["status"]) for r in results if r["status"] != 201)
                self.statuses.update({f"batch item {k}": v for k, v in refused.items()})
            elif len(self.errors) < 10:
                self.errors.append(f"{status} {answer[:200]!r}")


async def _run(spec: LoadSpec) -> dict[str, Any]:
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=spec.concurrency + 8)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        load = Load(spec, session)
        await load.setup()
        if spec.warmup_s > 0:
            await load.round(spec.warmup_s, counted=False)
        elapsed = await load.round(spec.seconds, counted=True)
    per_request = spec.batch_events if spec.shape == "batch" else 1
    return {
        "shape": spec.shape,
        "concurrency": spec.concurrency,
        "seconds": round(elapsed, 3),
        "requests": load.requests,
        "events_offered": load.requests * per_request,
        "accepted": load.accepted,
        "accepted_per_s": load.accepted / elapsed,
        "statuses": dict(load.statuses),
        "error_samples": load.errors,
        "latencies_s": load.latencies,
    }


def run_load(spec: LoadSpec, ready: Event, _stop: Event) -> dict[str, Any]:
    """Child entry: the closed loop of `spec`, then its counts and per-request latencies."""
    ready.set()
    return asyncio.run(_run(spec))


async def _one(system: System, shape: str, concurrency: int, sizes: Sizes) -> dict[str, Any]:
    spec = LoadSpec(
        system.api_url,
        system.producer_key,
        shape,
        concurrency,
        sizes.seconds,
        sizes.warmup_s,
        f"{system.prefix}-{shape}",
        sizes.batch_events,
    )
    child = start_child(f"ingest-{shape}", run_load, spec)
    result: dict[str, Any] = await result_of(child, within_s=sizes.seconds * 3 + 300)
    result.update(latency_ms(result.pop("latencies_s")))
    return result


async def run_single(system: System, sizes: Sizes) -> dict[str, Any]:
    """Distinct calls, then hot calls, both at `sizes.concurrency`."""
    distinct = await _one(system, "distinct", sizes.concurrency, sizes)
    await wait_outbox_empty(system)
    hot = await _one(system, "hot", sizes.concurrency, sizes)
    return {
        "figures": {
            "ingest_distinct_rate": distinct["accepted_per_s"],
            "ingest_distinct_p50": distinct["p50_ms"],
            "ingest_distinct_p99": distinct["p99_ms"],
            "ingest_hot_rate": hot["accepted_per_s"],
            "ingest_hot_p50": hot["p50_ms"],
            "ingest_hot_p99": hot["p99_ms"],
        },
        "distinct": distinct,
        "hot": hot,
    }


async def run_batch(system: System, sizes: Sizes) -> dict[str, Any]:
    """Batches of `sizes.batch_events` new calls, `sizes.batch_concurrency` in flight."""
    result = await _one(system, "batch", sizes.batch_concurrency, sizes)
    return {"figures": {"batch_rate": result["accepted_per_s"]}, "batch": result}
