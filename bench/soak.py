"""Soak: a steady mixed workload against the whole platform, with subscribed sockets.

    make soak                                   # 10 minutes, 50 events/s, 20 sockets
    make soak SOAK_MINUTES=2 SOAK_RATE=100 SOAK_SOCKETS=40
    .venv/bin/python bench/soak.py --minutes 1 --rate 50 --sockets 20 [--drain 60] [--seed 1]

Starts what `make run` starts (api, relay, timers, webhooks, realtime; embedded PostgreSQL and
valkey unless DATABASE_URL / REDIS_URL are set, then a fresh database of its own) on
free ports, with its own data dir, and migrations. Connects SOAK_SOCKETS Socket.io
clients (most in `calls`, some in `queue:<q>` rooms, some in `call:<id>` rooms), then
posts open-loop at SOAK_RATE requests/s for SOAK_MINUTES: whole call lifecycles
interleaved across many calls, ~3 % idempotent replays (expect 200, no new event) and
1 % invalid requests (expect their 4xx). Then it drains: waits until the outbox is empty
and every socket has every event its rooms should see (deadline --drain seconds).

It reports HTTP errors (any status other than the one expected), events lost (due to a
socket by its rooms, never received), duplicated (received twice by one socket), out of
order (a lower `seq` after a higher one for a call), p50/p99 end-to-end latency (request
start → socket receipt) per minute, the RSS of each process, and outbox pending (sampled
from GET /api/ops/outbox every 5 s). The last line is a one-line summary to compare
between runs; the exit code is 1 when anything was lost, duplicated, out of order or an
error, 130 when interrupted. Results: bench/results/soak-<UTC time>.json; the processes'
logs: bench/results/soak-<UTC time>.log. All traffic stays on 127.0.0.1.
"""

import argparse
import asyncio
import contextlib
import heapq
import itertools
import json
import os
import random
import secrets
import signal
import sys
import time
from collections import deque
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import aiohttp
import psutil
import socketio
from soak_report import (
    MB,
    Expected,
    Recorder,
    SocketLog,
    analyse,
    failed,
    summary_line,
    table,
)
from soak_workload import QUEUES, CallScript, Step, invalid_posts, make_call
from stack import STACK_FAILURES, dev_keys, start_stack

from devstack.launcher import Stack

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SAMPLE_EVERY_S = 5.0
MAX_IN_FLIGHT = 2000  # open loop, but bounded: past this the client itself is the bottleneck
REQUEST_TIMEOUT_S = 30.0
CALL_ROOMS_PER_SOCKET = 50
REPLAY_SHARE = 0.03
INVALID_EVERY = 100  # one request in a hundred is invalid
MEAN_THINK_S = 1.0  # mean pause between two events of one call (exponential, capped)


@dataclass(frozen=True)
class Config:
    minutes: float
    rate: float
    sockets: int
    drain_s: float
    seed: int


def parse_args(argv: list[str] | None = None) -> Config:
    env = os.environ
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=float(env.get("SOAK_MINUTES") or 10))
    parser.add_argument("--rate", type=float, default=float(env.get("SOAK_RATE") or 50))
    parser.add_argument("--sockets", type=int, default=int(env.get("SOAK_SOCKETS") or 20))
    parser.add_argument("--drain", type=float, default=float(env.get("SOAK_DRAIN_S") or 60))
    parser.add_argument("--seed", type=int, default=int(env.get("SOAK_SEED") or 1))
    args = parser.parse_args(argv)
    if not (0 < args.minutes <= 24 * 60):
        parser.error("--minutes must be in (0, 1440]")
    if not (0 < args.rate <= 5000):
        parser.error("--rate must be in (0, 5000]")
    if not (1 <= args.sockets <= 1000):
        parser.error("--sockets must be in [1, 1000]")
    if not (0 <= args.drain <= 3600):
        parser.error("--drain must be in [0, 3600]")
    return Config(args.minutes, args.rate, args.sockets, args.drain, args.seed)


class ProcessDiedError(RuntimeError):
    pass


class Soak:
    def __init__(self, config: Config, stack: Stack) -> None:
        self.config = config
        self.stack = stack
        self.rng = random.Random(config.seed)  # noqa: S311 - a workload, not secrets
        self.prefix = f"soak{secrets.token_hex(3)}"
        self.rec = Recorder(t0=time.perf_counter())
        self.ready: list[tuple[float, int, CallScript]] = []  # heap of calls due a next step
        self.counter = itertools.count()
        self.calls_started = 0
        self.replay_pool: deque[tuple[bytes, str, int]] = deque(maxlen=2000)
        self.in_flight: set[asyncio.Task[None]] = set()
        self.clients: list[Any] = []
        self.session: aiohttp.ClientSession | None = None
        self.died: str | None = None
        self.closing = False
        self.stop = asyncio.Event()

    # ---- sockets -------------------------------------------------------------------------

    def socket_rooms(self) -> list[frozenset[str]]:
        """Most sockets watch `calls`; one in ten a queue, one in ten a set of calls."""
        calls_expected = self.config.rate * self.config.minutes * 60 / 7
        stride = max(1, int(calls_expected // CALL_ROOMS_PER_SOCKET))
        plans: list[frozenset[str]] = []
        for i in range(self.config.sockets):
            if i % 10 == 8:
                plans.append(frozenset({f"queue:{QUEUES[(i // 10) % len(QUEUES)]}"}))
            elif i % 10 == 9:
                offset = i // 10
                plans.append(
                    frozenset(
                        f"call:{self.prefix}-{offset + k * stride}"
                        for k in range(CALL_ROOMS_PER_SOCKET)
                    )
                )
            else:
                plans.append(frozenset({"calls"}))
        return plans

    async def connect_sockets(self) -> None:
        for i, rooms in enumerate(self.socket_rooms()):
            log = SocketLog(f"s{i}:{_describe(rooms)}", rooms)
            self.rec.sockets.append(log)
            self.clients.append(await self._connect(log))

    async def _connect(self, log: SocketLog) -> Any:
        client = socketio.AsyncClient(reconnection=True)
        subscribed = False

        async def subscribe() -> None:
            for room in sorted(log.rooms):
                ack = await client.call("subscribe", {"room": room}, timeout=10)
                if ack != {"ok": True}:
                    raise RuntimeError(f"{log.name}: subscribe {room} refused: {ack}")

        async def on_event(payload: dict[str, Any]) -> None:
            at = time.perf_counter()
            event = payload["event"]
            log.receive(event["call_id"], event["seq"], at)

        async def on_connect() -> None:
            if subscribed:  # a reconnect: the rooms are gone with the old connection
                client.start_background_task(subscribe)

        async def on_disconnect(*_reason: object) -> None:
            if not self.closing:
                log.disconnects += 1

        client.on("call_event", on_event)
        client.on("connect", on_connect)
        client.on("disconnect", on_disconnect)
        await client.connect(
            self.stack.realtime_url,
            auth={"apiKey": dev_keys(self.stack).supervisor},
            transports=["websocket"],
            wait_timeout=10,
        )
        await subscribe()
        subscribed = True
        return client

    # ---- HTTP ----------------------------------------------------------------------------

    async def _post(self, body: bytes, *, key: str | None) -> tuple[int, bytes]:
        assert self.session is not None
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["X-API-Key"] = key
        async with self.session.post(
            f"{self.stack.api_url}/api/events", data=body, headers=headers
        ) as response:
            return response.status, await response.read()

    async def _send(self, name: str, body: bytes, key: str | None) -> tuple[float, int, bytes]:
        """(start, status, body); status 0 when the request itself failed."""
        start = time.perf_counter()
        self.rec.posts_per_minute[self.rec.minute(start)] += 1
        try:
            status, answer = await self._post(body, key=key)
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.rec.statuses["exception"] += 1
            self.rec.error(start, f"{name}: {type(exc).__name__}: {exc}")
            return start, 0, b""
        self.rec.statuses[str(status)] += 1
        return start, status, answer

    async def send_step(self, script: CallScript, step: Step) -> None:
        name = f"{step.body['type']} {script.call_id}"
        start, status, answer = await self._send(name, json.dumps(step.body).encode(), self._key)
        if status != 201:
            if status:
                self.rec.error(start, f"{name}: {status} {answer[:200]!r}")
            return  # the call's script stops here
        seq = int(json.loads(answer)["event"]["seq"])
        rooms = {"calls", f"call:{script.call_id}", *(f"queue:{q}" for q in step.queues)}
        self.rec.expected[(script.call_id, seq)] = Expected(start, frozenset(rooms))
        self.replay_pool.append((json.dumps(step.body).encode(), script.call_id, seq))
        if not script.done:
            think = min(5.0, self.rng.expovariate(1 / MEAN_THINK_S))
            heapq.heappush(self.ready, (time.perf_counter() + think, next(self.counter), script))

    async def send_replay(self, body: bytes, call_id: str, seq: int) -> None:
        self.rec.replays += 1
        start, status, answer = await self._send(f"replay {call_id}#{seq}", body, self._key)
        if status == 0:
            return
        if status != 200:
            self.rec.error(start, f"replay {call_id}#{seq}: {status} {answer[:200]!r}")
        elif int(json.loads(answer)["event"]["seq"]) != seq:
            self.rec.error(start, f"replay {call_id}#{seq}: another event {answer[:200]!r}")

    async def send_invalid(self, n: int) -> None:
        self.rec.invalid += 1
        bad = invalid_posts(self.prefix, n)
        start, status, answer = await self._send(
            f"invalid ({bad.name})", bad.body, self._key if bad.with_key else None
        )
        if status and status not in bad.expected:
            wanted = sorted(bad.expected)
            self.rec.error(start, f"invalid ({bad.name}): {status} not {wanted} {answer[:200]!r}")

    @property
    def _key(self) -> str:
        return dev_keys(self.stack).producer

    # ---- the open-loop producer ----------------------------------------------------------

    def next_request(self, tick: int, now: float) -> Any:
        if tick % INVALID_EVERY == INVALID_EVERY // 2:
            return self.send_invalid(tick // INVALID_EVERY)
        if self.replay_pool and self.rng.random() < REPLAY_SHARE:
            return self.send_replay(*self.rng.choice(self.replay_pool))
        if self.ready and self.ready[0][0] <= now:
            script = heapq.heappop(self.ready)[2]
        else:
            script = make_call(f"{self.prefix}-{self.calls_started}", self.rng)
            self.calls_started += 1
        step = script.steps[script.next_index]
        script.next_index += 1
        return self.send_step(script, step)

    async def produce(self, end_at: float) -> None:
        interval = 1 / self.config.rate
        due = time.perf_counter()
        for tick in itertools.count():
            if due >= end_at or self.stop.is_set():
                return
            now = time.perf_counter()
            if due > now:
                await asyncio.sleep(due - now)
                now = time.perf_counter()
            self.rec.scheduler_lag_max_s = max(self.rec.scheduler_lag_max_s, now - due)
            due += interval
            if len(self.in_flight) >= MAX_IN_FLIGHT:
                self.rec.error(now, f"client overloaded: {MAX_IN_FLIGHT} requests in flight")
                continue
            task = asyncio.create_task(self.next_request(tick, now))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)

    # ---- sampling --------------------------------------------------------------------------

    async def outbox_pending(self) -> int | None:
        assert self.session is not None
        try:
            async with self.session.get(
                f"{self.stack.api_url}/api/ops/outbox",
                headers={"X-API-Key": dev_keys(self.stack).supervisor},
            ) as response:
                if response.status != 200:
                    return None
                body = await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError):
            return None
        self.rec.outbox.append(
            {
                "t": round(time.perf_counter() - self.rec.t0, 1),
                "pending": body.get("pending"),
                "oldest_pending_age_s": body.get("oldest_pending_age_s"),
                "failing": body.get("failing"),
            }
        )
        return int(body.get("pending", 0))

    def sample_rss(self) -> None:
        mb: dict[str, float] = {}
        for name, process in self.stack.processes.items():
            if not process.is_running() or process.pid is None:
                self.died = f"{name} exited with code {process.returncode}"
                self.stop.set()
                continue
            with contextlib.suppress(psutil.Error):
                # With its children: `API_WORKERS` api processes run under one supervisor.
                root = psutil.Process(process.pid)
                tree = [root, *root.children(recursive=True)]
                mb[name] = round(sum(p.memory_info().rss for p in tree) / MB, 1)
        self.rec.rss.append({"t": round(time.perf_counter() - self.rec.t0, 1), "mb": mb})

    async def sample(self) -> None:
        while True:
            self.sample_rss()
            await self.outbox_pending()
            await asyncio.sleep(SAMPLE_EVERY_S)

    async def progress(self, end_at: float) -> None:
        minute = 0
        while time.perf_counter() < end_at:
            await asyncio.sleep(min(60.0, max(0.0, end_at - time.perf_counter())))
            minute += 1
            pending = self.rec.outbox[-1]["pending"] if self.rec.outbox else "?"
            print(
                f"soak: {time.perf_counter() - self.rec.t0:6.0f}s"
                f" {sum(self.rec.posts_per_minute.values()):,} posts,"
                f" {len(self.rec.expected):,} events, {self.rec.error_count} errors,"
                f" outbox {pending}, {len(self.in_flight)} in flight",
                flush=True,
            )

    # ---- the run -------------------------------------------------------------------------

    async def drain(self) -> bool:
        """Until the outbox is empty and every socket has all it should; False at the deadline."""
        give_up = time.perf_counter() + self.config.drain_s
        if self.in_flight:
            await asyncio.wait(set(self.in_flight), timeout=max(1.0, self.config.drain_s))
        while True:
            pending = await self.outbox_pending()
            missing = sum(len(s.missing(self.rec.expected)) for s in self.rec.sockets)
            if pending == 0 and missing == 0:
                return True
            if time.perf_counter() >= give_up or self.stop.is_set():
                print(f"soak: drain deadline: outbox {pending}, {missing} deliveries missing")
                return False
            await asyncio.sleep(1.0)

    async def run(self) -> dict[str, Any]:
        interrupted = False
        duration_s = 0.0
        sampler: asyncio.Task[None] | None = None
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
        connector = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            self.session = session
            try:
                print(f"soak: connecting {self.config.sockets} sockets", flush=True)
                await self.connect_sockets()
                self.rec.t0 = time.perf_counter()
                sampler = asyncio.create_task(self.sample())
                end_at = self.rec.t0 + self.config.minutes * 60
                print(
                    f"soak: posting {self.config.rate:g} requests/s for"
                    f" {self.config.minutes:g} min (calls {self.prefix}-*)",
                    flush=True,
                )
                progress = asyncio.create_task(self.progress(end_at))
                await self.produce(end_at)
                progress.cancel()
                duration_s = time.perf_counter() - self.rec.t0
                print("soak: draining", flush=True)
                await self.drain()
            except asyncio.CancelledError:
                interrupted = True
                if (task := asyncio.current_task()) is not None:
                    task.uncancel()
                duration_s = duration_s or time.perf_counter() - self.rec.t0
            finally:
                if sampler is not None:
                    sampler.cancel()
                for task in list(self.in_flight):
                    task.cancel()
                if not interrupted and self.died is None:
                    self.sample_rss()  # the end of the run
                await self._close_sockets()
        if self.died is not None:
            self.rec.error(time.perf_counter(), f"process died: {self.died}")
        return analyse(self.rec, duration_s, interrupted=interrupted)

    async def _close_sockets(self) -> None:
        self.closing = True
        for client in self.clients:
            with contextlib.suppress(Exception):  # best effort at shutdown
                await asyncio.wait_for(client.disconnect(), timeout=5)


def _describe(rooms: frozenset[str]) -> str:
    if len(rooms) == 1:
        return next(iter(rooms))
    return f"{len(rooms)} call rooms"


def _raise_interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_path = RESULTS_DIR / f"soak-{stamp}.log"
    json_path = RESULTS_DIR / f"soak-{stamp}.json"
    signal.signal(signal.SIGTERM, _raise_interrupt)
    results: dict[str, Any] | None = None
    code = 1
    with log_path.open("w") as log:
        try:
            with ExitStack() as cleanup:
                try:
                    stack = start_stack(cleanup, log)
                    results = asyncio.run(Soak(config, stack).run())
                finally:
                    # From here on the clean-up runs; a second Ctrl-C must not cut it short.
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                    print("soak: stopping the stack", flush=True)
        except KeyboardInterrupt:
            print("soak: interrupted", flush=True)
            code = 130
        except STACK_FAILURES as exc:
            print(f"soak: {exc}", flush=True)
            code = 1
    if results is None:
        print(f"soak: processes' output in {log_path}")
        return code
    results["config"] = asdict(config)
    results["started_at"] = stamp
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(table(results))
    for sample in results["error_samples"][:10]:
        print(f"  error {sample}")
    for lost in results["lost_samples"][:10]:
        print(f"  lost {lost}")
    print(f"soak: results in {json_path}, processes' output in {log_path}")
    print(summary_line(results), flush=True)
    if results["interrupted"]:
        return 130
    return 1 if failed(results) else 0


if __name__ == "__main__":
    sys.exit(main())
