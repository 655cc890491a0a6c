"""Fan-out: one call watched by many sockets (a wallboard, a busy supervisors' floor).

With a stack of its own the bench starts a second realtime process; the sockets (lean
clients, split over `socket_processes` child processes) connect alternately to each realtime
process and all join one `call:<id>` room. This process then posts that call's events at a
modest fixed pace (`call_initiated`, then `call_routed` again and again: a routed call may be
re-routed), one after the other. A delivery's latency is its socket's receipt - the start of
the post that produced the event; p50/p99 are over every (event, socket) delivery. Missing:
deliveries never received once the outbox is empty and a grace period has passed.
"""

import asyncio
import time
from typing import Any

import aiohttp
from children import Child, run_children, start_child, stop_all, wait_ready
from context import Sizes, System, latency_ms, split_evenly, stop_timed, wait_outbox_empty
from eio_client import hold_sockets

CONNECT_TIMEOUT_S = 300.0


def _body(call_id: str, k: int) -> bytes:
    if k == 0:
        return (
            f'{{"event_id":"{call_id}-0","type":"call_initiated","call_id":"{call_id}",'
            f'"data":{{"media":"video","queue_id":"medical_spanish"}}}}'
        ).encode()
    return (
        f'{{"event_id":"{call_id}-{k}","type":"call_routed","call_id":"{call_id}",'
        f'"data":{{"agent_id":"agent-{k % 50}","routing_time":1}}}}'
    ).encode()


async def _post_events(system: System, call_id: str, sizes: Sizes) -> dict[str, float]:
    """Post the call's events on a fixed pace; event_id → the start of its accepted post."""
    count = max(2, round(sizes.fanout_rate * sizes.seconds))
    interval = 1.0 / sizes.fanout_rate
    headers = {"Content-Type": "application/json", "X-API-Key": system.producer_key}
    started: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:
        t0 = time.monotonic()
        for k in range(count):
            delay = t0 + k * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            start = time.monotonic()
            async with session.post(
                f"{system.api_url}/api/events", data=_body(call_id, k), headers=headers
            ) as response:
                answer = await response.read()
                if response.status != 201:
                    raise RuntimeError(f"fan-out post {k}: {response.status} {answer[:200]!r}")
            started[f"{call_id}-{k}"] = start
    return started


async def run(system: System, sizes: Sizes) -> dict[str, Any]:
    urls = list(system.realtime_urls)
    extra = None
    stopped: dict[str, Any] = {}
    if system.stack is not None:
        extra = await asyncio.to_thread(system.stack.add, "realtime-2", "realtime")
        url = system.stack.urls["realtime-2"]
        urls.append(url)
    call_id = f"{system.prefix}-fan"
    per_child = split_evenly(sizes.fanout_sockets, sizes.socket_processes)
    children: list[Child] = []
    try:
        children = [
            start_child(
                f"fanout-{c}", hold_sockets, urls, system.supervisor_key, [f"call:{call_id}"], n
            )
            for c, n in enumerate(per_child)
        ]
        began = time.monotonic()
        await wait_ready(children, CONNECT_TIMEOUT_S)
        connect_s = time.monotonic() - began
        started = await _post_events(system, call_id, sizes)
        await wait_outbox_empty(system)
        held = await run_children(children, within_s=120, stop_after=sizes.settle_s)
    finally:
        await asyncio.to_thread(stop_all, children)
        if extra is not None:
            stopped = await asyncio.to_thread(stop_timed, extra)
    latencies: list[float] = []
    per_event_last: list[float] = []
    connected = sum(h["connected"] for h in held)
    received = [r for h in held for r in h["received"]]
    for event_id, start in started.items():
        times = [r[event_id] for r in received if event_id in r]
        latencies += [t - start for t in times]
        if times:
            per_event_last.append(max(times) - start)
    missing = (
        connected * len(started) - len(latencies) + sum(h["failed"] for h in held) * len(started)
    )
    deliveries = latency_ms(latencies)
    return {
        "figures": {
            "fanout_p50": deliveries["p50_ms"],
            "fanout_p99": deliveries["p99_ms"],
            "fanout_missing": missing,
            "fanout_duplicated": sum(h["duplicates"] for h in held),
        },
        "sockets": sizes.fanout_sockets,
        "connected": connected,
        "failed_to_connect": sum(h["failed"] for h in held),
        "connect_error_samples": [e for h in held for e in h["error_samples"]][:5],
        "realtime_processes": len(urls),
        "socket_processes": len(per_child),
        "connect_s": round(connect_s, 2),
        "events": len(started),
        "deliveries": deliveries,
        "last_socket_per_event": latency_ms(per_event_last),
        "closed_by_server": sum(h["closed_by_server"] for h in held),
        "second_realtime_stop": stopped,
    }
