"""GET /api/ops/outbox: how far behind the relay is, for operators."""

from aiohttp import web

from call_service.adapters.postgres.outbox import outbox_status
from call_service.api.auth import require_scope
from call_service.api.state import POOL
from contracts.enums import Scope
from contracts.ops import OutboxStatus


async def read_outbox_status(pool: object) -> OutboxStatus:
    async with pool.acquire() as conn:  # type: ignore[attr-defined]
        return OutboxStatus.model_validate(await outbox_status(conn))


async def get_outbox(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    status = await read_outbox_status(request.app[POOL])
    return web.Response(text=status.model_dump_json(), content_type="application/json")
