"""Read a JSON request body into a pydantic model: 415 for another media type, 422 naming
each field for a body that does not match (field_errors.py)."""

from collections.abc import Collection
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from call_service.api.field_errors import FieldErrorOf, field_error, invalid_request
from call_service.api.problems import ProblemError

Body = TypeVar("Body", bound=BaseModel)
JSON = frozenset({"application/json"})


async def parse_body(
    request: web.Request,
    model: type[Body],
    noun: str,
    media_types: Collection[str] = JSON,
    error_of: FieldErrorOf = field_error,
) -> Body:
    """The body as `model`; `noun` names it in the problems ("the queue is not valid")."""
    if request.content_type not in media_types:
        raise ProblemError(415, "Unsupported media type", f"Send the {noun} as application/json.")
    try:
        return model.model_validate_json(await request.read())
    except ValidationError as exc:
        raise invalid_request(exc, f"The {noun} is not valid.", error_of=error_of) from exc
