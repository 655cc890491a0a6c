"""Stopping the app is quick and clean: open sockets never hold its shutdown up."""

import asyncio

import aiohttp
import pytest

pytestmark = pytest.mark.integration


async def test_shutdown_does_not_wait_for_a_long_polling_client_that_went_away(realtime):
    url = f"{realtime.url}/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession() as session, session.get(url) as handshake:
        assert handshake.status == 200  # an engine.io session now exists; nobody polls it

    await asyncio.wait_for(realtime.server.close(), 2)


async def test_shutdown_closes_connected_sockets(realtime, connect, eventually):
    listener = await connect()

    await asyncio.wait_for(realtime.server.close(), 2)

    await eventually(lambda: not listener.client.connected)
