"""`python -m realtime_service` as a process: it refuses a bad configuration with status 2
and stops cleanly on SIGTERM."""

import asyncio
import os
import signal
import subprocess
import sys

import aiohttp
import pytest

pytestmark = pytest.mark.integration


def test_process_without_required_settings_exits_2_without_traceback() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "API_KEYS"}}

    result = subprocess.run(
        [sys.executable, "-m", "realtime_service"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 2
    assert "REDIS_URL is required" in result.stderr
    assert "Traceback" not in result.stderr


async def test_process_stops_cleanly_on_sigterm(redis_url, channel, unused_tcp_port):
    env = os.environ | {
        "REDIS_URL": redis_url,
        "API_KEYS": "k1:calls:read",
        "REALTIME_PORT": str(unused_tcp_port),
        "REDIS_CHANNEL": channel,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "realtime_service",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await asyncio.wait_for(_until_ready(f"http://127.0.0.1:{unused_tcp_port}/ready"), 20)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert process.returncode == 0
    assert b"realtime_stopped" in stdout
    assert b"Traceback" not in stdout + stderr


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
