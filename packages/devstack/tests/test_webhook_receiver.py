"""The demo receiver verifies signatures and refuses what does not verify."""

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from devstack.webhook_receiver import make_app
from service_kit.webhook_signing import signed_headers


async def test_a_signed_delivery_is_accepted_and_a_forged_one_refused(
    aiohttp_client: Callable[[Any], Awaitable[TestClient[Any, Any]]],
) -> None:
    client = await aiohttp_client(make_app("s3cret-s3cret-s3cret"))
    body = b'{"id": "x", "type": "survey_requested", "call": {"id": "c1"}}'
    now = int(time.time())
    good = signed_headers("s3cret-s3cret-s3cret", now, body, "d1", "survey_requested")
    forged = signed_headers("wrong-secret-wrong", now, body, "d2", "survey_requested")
    assert (await client.post("/hooks", data=body, headers=good)).status == 204
    assert (await client.post("/hooks", data=body, headers=forged)).status == 401
