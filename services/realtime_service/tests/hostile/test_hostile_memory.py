"""1,000 hostile connection attempts leave the realtime process where it was.

`python -m realtime_service` runs as a process of its own (its RSS is then its own), with a
0.5 s auth deadline. Each attempt opens a websocket and sends an odd CONNECT packet or a
frame the server cannot decode; half the clients then hang up, half wait for the server to
close them. Afterwards every per-connection table of `/metrics`
(`realtime_connection_entries`) must be empty again, and the RSS must not have grown by
more than a generous bound (the figures are printed: `pytest -s`).
"""

import asyncio
import itertools
import os
import re
import sys

import aiohttp
import psutil
import pytest

pytestmark = pytest.mark.integration

ATTEMPTS = 1_000
WARM_UP = 200
CONCURRENCY = 50
MAX_RSS_GROWTH_MB = 24
"""Generous: about 8 MB is measured, steadily — python-engineio holds each closed session
object for up to its ping interval (25 s; its ping timer), and the allocator keeps what it
got back. A leak of 24 KB per attempt (a session left open is ~32 KB) would fail."""
READ_KEY = "reader-key-0123456789"
HOSTILE_FRAMES = (
    '40{"apiKey": "\\ud800"}',
    '40{"apiKey": "' + READ_KEY + '\\u0000"}',
    "40" + '{"apiKey": ' * 300 + "null" + "}" * 300,
    "40" + "[" * 30_000 + "]" * 30_000,
    '40{"apiKey": "' + "k" * 30_000 + '"}',
    "40[1, 2, 3]",
    '40"' + READ_KEY + '"',
    "40",
    "4" + "[" * 20_000,
    "x",
)
ENTRY = re.compile(r'^realtime_connection_entries\{table="([a-z_]+)"\} (\S+)$', re.MULTILINE)


async def _attempt(session: aiohttp.ClientSession, url: str, frame: str, hang_up: bool) -> None:
    async with session.ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket") as ws:
        await ws.receive(timeout=5)  # the Engine.IO open packet
        await ws.send_str(frame)
        if hang_up:
            return
        async with asyncio.timeout(5):  # the server closes it at the latest at the deadline
            while (await ws.receive()).type is aiohttp.WSMsgType.TEXT:
                pass


async def _attack(session: aiohttp.ClientSession, url: str, attempts: int) -> None:
    frames = itertools.cycle(HOSTILE_FRAMES)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(n: int, frame: str) -> None:
        async with gate:
            await _attempt(session, url, frame, hang_up=n % 2 == 0)

    await asyncio.gather(*(one(n, next(frames)) for n in range(attempts)))


async def _entries(session: aiohttp.ClientSession, url: str) -> dict[str, float]:
    async with session.get(f"{url}/metrics") as response:
        text = await response.text()
    return {table: float(value) for table, value in ENTRY.findall(text)}


async def _until_empty(session: aiohttp.ClientSession, url: str) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    end = loop.time() + 15
    while True:
        entries = await _entries(session, url)
        assert entries, "no realtime_connection_entries in /metrics"
        if not any(entries.values()):
            return entries
        assert loop.time() < end, f"entries left: {entries}"
        await asyncio.sleep(0.1)


@pytest.fixture
async def realtime_process(redis_url, channel, unused_tcp_port):
    env = os.environ | {
        "REDIS_URL": redis_url,
        "API_KEYS": f"{READ_KEY}:calls:read",
        "REALTIME_PORT": str(unused_tcp_port),
        "REDIS_CHANNEL": channel,
        "REALTIME_AUTH_DEADLINE_S": "0.5",
        "LOG_LEVEL": "ERROR",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "realtime_service",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{unused_tcp_port}"
    try:
        await asyncio.wait_for(_until_ready(f"{url}/ready"), 20)
        yield process, url
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 10)
        assert b"Traceback" not in stderr, stderr.decode(errors="replace")[-2000:]


async def _until_ready(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)


async def test_a_thousand_hostile_attempts_leave_no_entry_and_no_memory(realtime_process):
    process, url = realtime_process
    memory = psutil.Process(process.pid)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:
        await _attack(session, url, WARM_UP)  # allocator pools and caches settle first
        await _until_empty(session, url)
        before = memory.memory_info().rss

        await _attack(session, url, ATTEMPTS)
        entries = await _until_empty(session, url)
        after = memory.memory_info().rss

    growth_mb = (after - before) / 2**20
    print(
        f"\nrealtime RSS around {ATTEMPTS} hostile attempts: before {before / 2**20:.1f} MB,"
        f" after {after / 2**20:.1f} MB, growth {growth_mb:+.1f} MB; entries {entries}"
    )
    assert growth_mb < MAX_RSS_GROWTH_MB
