"""Validate a query string with a pydantic model; 422 naming each bad parameter."""

from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from call_service.api.field_errors import invalid_request

M = TypeVar("M", bound=BaseModel)


def parse_query(request: web.Request, model: type[M], detail: str = "Bad query parameters.") -> M:
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        raise invalid_request(exc, detail, prefix=("query",)) from exc
