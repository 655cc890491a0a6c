"""Connections: what an idle socket costs one realtime process in memory.

A fresh realtime process is started (so no earlier part's garbage or freed-but-kept heap
hides the cost), one socket connects and leaves (lazy imports and first-use caches), then
its RSS is read from /proc/<pid>/status (VmRSS). N lean sockets, held by child processes,
connect, authenticate and join `calls` (as a dashboard does), and stay idle answering
pings; after a short settle the RSS is read again. Per connection: (after - before) / N.
"""

import asyncio
import time
from pathlib import Path
from typing import Any

from children import Child, run_children, start_child, stop_all, wait_ready
from context import Sizes, System, split_evenly, stop_timed
from eio_client import LeanSocket, hold_sockets, new_session
from fanout import CONNECT_TIMEOUT_S


def vm_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def run(system: System, sizes: Sizes) -> dict[str, Any]:
    stack = system.require_stack()
    process = await asyncio.to_thread(stack.add, "realtime-idle", "realtime")
    url = stack.urls["realtime-idle"]
    children: list[Child] = []
    try:
        assert process.pid is not None
        warm = LeanSocket(url, system.supervisor_key, ["calls"])
        async with new_session() as session:
            await warm.connect(session)
            await warm.close()
        await asyncio.sleep(1.0)
        before = vm_rss_bytes(process.pid)
        began = time.monotonic()
        children = [
            start_child(f"idle-{c}", hold_sockets, [url], system.supervisor_key, ["calls"], n)
            for c, n in enumerate(split_evenly(sizes.idle_sockets, sizes.socket_processes))
        ]
        await wait_ready(children, CONNECT_TIMEOUT_S)
        connect_s = time.monotonic() - began
        await asyncio.sleep(sizes.settle_s)
        after = vm_rss_bytes(process.pid)
        alive = process.is_running()
        held = await run_children(children, within_s=120, stop_after=0)
    finally:
        await asyncio.to_thread(stop_all, children)
        stopped = await asyncio.to_thread(stop_timed, process)
    connected = sum(h["connected"] for h in held)
    per_socket_kb = (after - before) / connected / 1024 if connected else None
    return {
        "figures": {"idle_connected": connected, "idle_rss_kb": per_socket_kb},
        "sockets": sizes.idle_sockets,
        "connected": connected,
        "failed": sum(h["failed"] for h in held),
        "error_samples": [e for h in held for e in h["error_samples"]][:5],
        "closed_by_server": sum(h["closed_by_server"] for h in held),
        "rss_before_mb": round(before / 2**20, 1),
        "rss_after_mb": round(after / 2**20, 1),
        "connect_s": round(connect_s, 2),
        "connections_per_s": round(connected / connect_s, 1) if connect_s else None,
        "realtime_alive": alive,
        "realtime_after_sockets_closed": stopped,
    }
