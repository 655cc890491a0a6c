"""Stopping is quick and clean: open sockets never hold shutdown up."""

import asyncio
import os
import signal
import sys

import aiohttp


async def test_shutdown_does_not_wait_for_a_long_polling_client_that_went_away(realtime):
    url = f"{realtime.url}/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession() as session, session.get(url) as handshake:
        assert handshake.status == 200  # an engine.io session now exists; nobody polls it

    await asyncio.wait_for(realtime.server.close(), 2)


async def test_shutdown_closes_connected_sockets(realtime, connect, eventually):
    listener = await connect()

    await asyncio.wait_for(realtime.server.close(), 2)

    await eventually(lambda: not listener.client.connected)


async def test_process_stops_cleanly_on_sigterm(channel, unused_tcp_port):
    env = os.environ | {
        "REDIS_URL": "redis://127.0.0.1:6379/0",
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
