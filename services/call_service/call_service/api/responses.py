"""A wire model as an application/json response."""

from aiohttp import web
from pydantic import BaseModel


def json_model(
    body: BaseModel, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        text=body.model_dump_json(),
        content_type="application/json",
        headers=headers,
    )
