"""Validate a query string with a pydantic model; 422 naming each bad parameter."""

from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from call_service.api.problems import ProblemError
from contracts.problems import FieldError

M = TypeVar("M", bound=BaseModel)


def parse_query(request: web.Request, model: type[M]) -> M:
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        errors = [
            FieldError(loc=["query", *e["loc"]], msg=e["msg"])
            for e in exc.errors(include_url=False)
        ]
        raise ProblemError(422, "Validation failed", "Bad query parameters.", errors) from exc
