"""Load generators and socket holders in child processes (spawned, not forked).

On two cores the benchmark's client competes with the services; in one interpreter its
load generator, its sockets and its bookkeeping would also compete with each other for one
GIL and one event loop, and a busy client shows up as server latency. A child runs a target
`f(*args, ready, stop) -> result`: it sets `ready` once it is set up (sockets connected, say),
watches `stop` when the parent decides when it ends, and its result (or its traceback) comes
back through a queue.
"""

import asyncio
import multiprocessing
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from queue import Empty
from typing import Any

CONTEXT = multiprocessing.get_context("spawn")


class ChildError(RuntimeError):
    """A child failed; the message carries its traceback."""


@dataclass
class Child:
    name: str
    process: BaseProcess
    results: "Queue[tuple[bool, Any, float]]"
    ready: Event
    stop: Event


def start_child(name: str, target: Callable[..., Any], *args: Any) -> Child:
    results: Queue[tuple[bool, Any, float]] = CONTEXT.Queue()
    ready, stop = CONTEXT.Event(), CONTEXT.Event()
    process = CONTEXT.Process(
        target=_entry, args=(target, args, results, ready, stop), name=name, daemon=True
    )
    process.start()
    return Child(name, process, results, ready, stop)


_reported_cpu_s = 0.0


def reported_cpu_seconds() -> float:
    """CPU seconds used by the children that have finished (for CpuMeter)."""
    return _reported_cpu_s


def _entry(
    target: Callable[..., Any],
    args: tuple[Any, ...],
    results: "Queue[tuple[bool, Any, float]]",
    ready: Event,
    stop: Event,
) -> None:
    try:
        value = target(*args, ready, stop)
    except Exception:  # noqa: BLE001 - reported to the parent with its traceback
        ready.set()
        results.put((False, traceback.format_exc(), time.process_time()))
    else:
        results.put((True, value, time.process_time()))


async def wait_ready(children: list[Child], within_s: float) -> None:
    """Until every child is ready; ChildError if one dies or the deadline passes."""
    deadline = time.monotonic() + within_s
    while not all(c.ready.is_set() for c in children):
        for child in children:
            if not child.process.is_alive() and not child.ready.is_set():
                raise ChildError(f"{child.name} exited with code {child.process.exitcode}")
        if time.monotonic() > deadline:
            raise ChildError(f"children not ready after {within_s:.0f}s")
        await asyncio.sleep(0.05)


async def result_of(child: Child, within_s: float) -> Any:
    """The child's return value (waiting up to `within_s`); ChildError with its traceback."""
    global _reported_cpu_s
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + within_s
    while True:
        try:
            ok, value, cpu_s = await loop.run_in_executor(None, child.results.get, True, 0.5)
            _reported_cpu_s += cpu_s
            break
        except Empty:
            if not child.process.is_alive():
                raise ChildError(
                    f"{child.name} exited with code {child.process.exitcode}"
                ) from None
            if time.monotonic() > deadline:
                child.process.kill()
                raise ChildError(f"{child.name}: no result after {within_s:.0f}s") from None
    await loop.run_in_executor(None, child.process.join, 10)
    if not ok:
        raise ChildError(f"{child.name} failed:\n{value}")
    return value


async def run_children(
    children: list[Child], within_s: float, *, stop_after: float | None = None
) -> list[Any]:
    """Results of every child; with `stop_after`, set their `stop` after that many seconds."""
    if stop_after is not None:
        await asyncio.sleep(stop_after)
        for child in children:
            child.stop.set()
    return [await result_of(c, within_s) for c in children]


def stop_all(children: list[Child]) -> None:
    """Ask every child to stop, and kill those still running 10 s later (best effort)."""
    for child in children:
        child.stop.set()
    for child in children:
        child.process.join(10)
        if child.process.is_alive():
            child.process.kill()
