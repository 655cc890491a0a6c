"""Refuse, before any handler runs, the characters no path or query value of this API holds.

A NUL reaching asyncpg is a 500 (PostgreSQL text cannot hold it), a lone surrogate (what
aiohttp makes of bytes that are not UTF-8) cannot even be encoded: no id, filter or cursor
of this API contains a control character, so such a request is answered here. A path with
one names nothing that can exist (404, as any missing id); a query value with one is a
422 naming the parameter.
"""

from aiohttp import web

from call_service.api.problems import Handler, ProblemError
from contracts.identifiers import FORBIDDEN_CHARACTERS
from contracts.problems import FieldError


@web.middleware
async def refuse_control_characters(request: web.Request, handler: Handler) -> web.StreamResponse:
    if FORBIDDEN_CHARACTERS.search(request.path):
        raise ProblemError(404, "Not found", "Nothing exists at this path.")
    bad = [
        FieldError(loc=["query", _printable_name(name)], msg="must not contain control characters")
        for name, value in request.query.items()
        if FORBIDDEN_CHARACTERS.search(name) or FORBIDDEN_CHARACTERS.search(value)
    ]
    if bad:
        raise ProblemError(422, "Validation failed", "Bad query parameters.", bad)
    return await handler(request)


def _printable_name(name: str) -> str:
    """The parameter's name as the problem can carry it (the body must encode as UTF-8)."""
    return FORBIDDEN_CHARACTERS.sub("\N{REPLACEMENT CHARACTER}", name)
