"""Where each part's CPU went: % of one core per process while the part ran.

Not a target: it shows what saturates (the api, PostgreSQL, the relay, a realtime process,
or the bench's own client, which shares the machine's cores with the services).
"""

import asyncio
import contextlib
import time
from urllib.parse import urlsplit

import children
import psutil
from context import System


class CpuMeter:
    """CPU time each process of the run used during one part, in % of one core.

    Sampled every second while the part runs, so a process stopped or started during the
    part (the relay in `drain`, the extra realtime processes) counts for the time it ran.
    A service counts with its child processes (api workers). "postgres" and "redis/valkey"
    are the servers listening on the run's ports (a shared server counts whole), with the
    children they reaped (pgbench's backends). "bench client" is this process plus its load
    generators and socket holders (they report their own CPU time when they finish), pgbench
    excluded.
    """

    def __init__(self, system: System) -> None:
        self.system = system
        self.servers = _servers(system)
        self.started = time.monotonic()
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self._sample(initial=True)

    async def run(self, every_s: float = 1.0) -> None:
        while True:
            await asyncio.sleep(every_s)
            self._sample(initial=False)

    def percent(self) -> dict[str, float]:
        self._sample(initial=False)
        wall = max(1e-9, time.monotonic() - self.started)
        used: dict[str, float] = {}
        for (name, pid), last in self.last.items():
            used[name] = used.get(name, 0.0) + last - self.first[(name, pid)]
        return {name: round(100 * seconds / wall, 1) for name, seconds in used.items()}

    def _sample(self, *, initial: bool) -> None:
        for name, (pid, seconds) in self._snapshot().items():
            key = (name, pid)
            if key not in self.first:  # a process that appeared mid-part counts from its start
                self.first[key] = seconds if initial or pid == 0 else 0.0
            self.last[key] = seconds

    def _snapshot(self) -> dict[str, tuple[int, float]]:
        seen: dict[str, tuple[int, float]] = {}
        stack_pids: set[int] = set()
        if self.system.stack is not None:
            for name, process in self.system.stack.processes.items():
                if process.pid is not None and process.is_running():
                    pids = [process.pid, *_descendants(process.pid)]  # e.g. api workers
                    seen[name] = (process.pid, sum(_cpu_seconds(pid) for pid in pids))
                    stack_pids.update(pids)
        for name, pid in self.servers.items():
            # The server's own process with the children it has reaped (pgbench's backends),
            # plus its live children (backends, background workers).
            seconds = _cpu_seconds(pid, with_reaped=True)
            seconds += sum(_cpu_seconds(child) for child in _descendants(pid))
            seen[name] = (0, seconds)
        me = psutil.Process()
        own = me.cpu_times()
        live = sum(
            _cpu_seconds(c.pid)
            for c in me.children()
            if c.pid not in stack_pids and _name_of(c.pid).startswith("python")
        )
        seen["bench client"] = (0, own.user + own.system + children.reported_cpu_seconds() + live)
        return seen


def _servers(system: System) -> dict[str, int]:
    """PostgreSQL's postmaster and the Redis server, found by the port they listen on (when
    they run on this machine): their CPU, not that of other servers of the same name."""
    ports: dict[str, int | None] = {
        "postgres": urlsplit(system.database_url).port if system.database_url else None,
        "redis/valkey": urlsplit(system.stack.env["REDIS_URL"]).port if system.stack else None,
    }
    wanted = {port: name for name, port in ports.items() if port}
    found: dict[str, int] = {}
    with contextlib.suppress(psutil.Error):
        for conn in psutil.net_connections("tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.pid:
                name = wanted.get(conn.laddr.port)
                if name is not None:
                    found[name] = conn.pid
    return found


def _descendants(pid: int) -> list[int]:
    try:
        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


def _name_of(pid: int) -> str:
    try:
        return psutil.Process(pid).name()
    except psutil.Error:
        return ""


def _cpu_seconds(pid: int, *, with_reaped: bool = False) -> float:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    total = times.user + times.system
    if with_reaped:
        total += times.children_user + times.children_system
    return total
