"""Every request ends: past `REQUEST_TIMEOUT_S` its handler is cancelled and it answers 503.

Without a bound, a request stuck behind a slow dependency holds its memory, its socket
and perhaps a connection for as long as the client keeps waiting. The TimeoutError this
raises is answered by the error middleware like any unavailable dependency (503 with
Retry-After); a cancelled transaction rolls back, so nothing is half written.
"""

import asyncio
from typing import Any

from aiohttp import web

from call_service.api.problems import Handler


def request_deadline(timeout_s: float) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        async with asyncio.timeout(timeout_s):
            return await handler(request)

    return middleware
