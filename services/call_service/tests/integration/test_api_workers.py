"""`python -m call_service.api` with API_WORKERS=2: two processes on one port, metrics summed
over both, a dead worker replaced, SIGTERM stops them all."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from devstack.network import LOOPBACK, free_port
from devstack.polling import eventually

from .conftest import API_KEYS, PRODUCER, initiated


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.fixture
def supervisor(
    database_url: str, redis_url: str, redis_channel: str
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_CHANNEL": redis_channel,
        "API_KEYS": API_KEYS,
        "CALL_SERVICE_PORT": str(port),
        "API_WORKERS": "2",
        "LOG_FORMAT": "json",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "call_service.api"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process, f"http://{LOOPBACK}:{port}"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)


async def _get(url: str) -> tuple[int, str]:
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status, await response.text()
    except aiohttp.ClientError:
        return 0, ""


async def test_two_workers_share_the_port_and_their_metrics(
    supervisor: tuple[subprocess.Popen[bytes], str], call_id: str
) -> None:
    process, url = supervisor
    pid = process.pid

    async def two_workers_serving() -> bool:
        return len(_children(pid)) == 2 and (await _get(f"{url}/health"))[0] == 200

    await eventually(two_workers_serving, deadline_s=20)
    async with aiohttp.ClientSession() as session:
        for n in range(20):
            body = initiated(f"{call_id}-{n}")
            headers = {"X-API-Key": PRODUCER}
            async with session.post(f"{url}/api/events", json=body, headers=headers) as r:
                assert r.status == 201
    for _ in range(4):  # whichever worker answers the scrape, it counts both workers' requests
        _, text = await _get(f"{url}/metrics")
        line = next(
            x
            for x in text.splitlines()
            if x.startswith("http_requests_total{") and 'route="/api/events"' in x
        )
        assert float(line.rsplit(" ", 1)[1]) == 20


async def test_a_dead_worker_is_replaced_and_sigterm_stops_everything(
    supervisor: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, url = supervisor
    pid = process.pid

    async def two_workers() -> set[int] | None:
        children = _children(pid)
        return children if len(children) == 2 else None

    first = await eventually(two_workers, deadline_s=20)
    victim = min(first)
    os.kill(victim, signal.SIGKILL)

    async def replaced() -> bool:
        children = _children(pid)
        return len(children) == 2 and victim not in children

    await eventually(replaced, deadline_s=20)
    await eventually(lambda: _serving(url), deadline_s=20)
    workers = _children(pid)
    os.kill(pid, signal.SIGTERM)

    async def all_gone() -> bool:
        return process.poll() == 0 and not any(_alive(p) for p in workers)

    await eventually(all_gone, deadline_s=15)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def _serving(url: str) -> bool:
    return (await _get(f"{url}/health"))[0] == 200
