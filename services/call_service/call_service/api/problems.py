"""RFC 9457 problem+json responses, and the one middleware that turns errors into them.

Bad input → 4xx naming the fields (a value the database cannot store included);
infrastructure down → 503 with Retry-After; anything else → a logged 500 carrying
the correlation id and no stack trace for the client.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiohttp import web

from call_service.domain.errors import (
    CallAlreadyExists,
    CallNotFound,
    DomainError,
    TransitionNotAllowed,
)
from call_service.service.errors import IdempotencyConflict, InfrastructureUnavailable, InvalidField
from contracts.identifiers import FORBIDDEN_CHARACTERS
from contracts.problems import FieldError, Problem

PROBLEM_CONTENT_TYPE = "application/problem+json"
_log = structlog.get_logger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def make_problem(
    status: int, title: str, detail: str, errors: Sequence[FieldError] | None = None
) -> Problem:
    slug = title.lower().replace(" ", "-")
    return Problem(
        type=f"https://call-lifecycle.dev/problems/{slug}",
        title=title,
        status=status,
        detail=detail,
        errors=list(errors) if errors is not None else None,
    )


def render_problem(problem: Problem, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=problem.status,
        text=problem.model_dump_json(exclude_none=True),
        content_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )


def problem_response(
    status: int,
    title: str,
    detail: str,
    errors: Sequence[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    return render_problem(make_problem(status, title, detail, errors), headers)


class ProblemError(Exception):
    """Raised by handlers for a 4xx that is not a domain rule (auth, media type, query)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.problem = make_problem(status, title, detail, errors)
        self.headers = headers

    @property
    def response(self) -> web.Response:
        return render_problem(self.problem, self.headers)


def domain_problem(exc: DomainError) -> Problem:
    if isinstance(exc, CallNotFound):
        return make_problem(404, "Call not found", str(exc))
    if isinstance(exc, InvalidField):
        errors = [FieldError(loc=list(exc.loc), msg=str(exc))]
        return make_problem(422, "Validation failed", str(exc), errors)
    if isinstance(exc, CallAlreadyExists | TransitionNotAllowed | IdempotencyConflict):
        return make_problem(409, "Conflict", str(exc))
    return make_problem(422, "Rule violated", str(exc))


DATABASE_UNAVAILABLE = make_problem(503, "Service unavailable", "The database is unavailable.")
UNSTORABLE_VALUE = make_problem(
    422, "Validation failed", "A value of the request cannot be stored (out of range or not text)."
)
INTERNAL_ERROR = make_problem(500, "Internal error", "An unexpected error was logged.")
RETRY_AFTER_S = 1
"""What a 503 asks the client to wait (seconds) before trying again."""


@dataclass(frozen=True)
class ErrorKinds:
    """Which infrastructure exceptions mean what; the composition root knows the drivers."""

    unavailable: tuple[type[BaseException], ...] = ()
    """A dependency cannot answer now (→ 503 with Retry-After)."""
    unstorable: tuple[type[BaseException], ...] = ()
    """The database refused a value of the request (→ 422); nothing was written."""


def problem_of(exc: Exception, kinds: ErrorKinds) -> Problem:
    """The problem a failed request (or one item of a batch) answers with.

    Anything not known to be the client's fault or a dependency's is logged with the
    correlation id and answered 500 without details.
    """
    if isinstance(exc, ProblemError):
        return exc.problem
    if isinstance(exc, DomainError):
        return domain_problem(exc)
    if isinstance(exc, (InfrastructureUnavailable, TimeoutError, *kinds.unavailable)):
        _log.warning("dependency_unavailable", error=type(exc).__name__)
        return DATABASE_UNAVAILABLE
    if isinstance(exc, (OverflowError, UnicodeError, *kinds.unstorable)):
        _log.warning("unstorable_value", error=type(exc).__name__)
        return UNSTORABLE_VALUE
    _log.error("unhandled_error", exc_info=exc)
    return INTERNAL_ERROR


def headers_of(problem: Problem, exc: Exception | None = None) -> dict[str, str] | None:
    """The headers that go with a problem: Retry-After on 503, the handler's own otherwise."""
    if isinstance(exc, ProblemError) and exc.headers:
        return exc.headers
    if problem.status == 503:
        return {"Retry-After": str(RETRY_AFTER_S)}
    return None


_HTTP_TITLES = {
    404: "Not found",
    405: "Method not allowed",
    413: "Payload too large",
}


def error_middleware(kinds: ErrorKinds) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            title = _HTTP_TITLES.get(exc.status, exc.reason)
            path = FORBIDDEN_CHARACTERS.sub("\N{REPLACEMENT CHARACTER}", request.path)
            detail = (
                "The request body is larger than this endpoint accepts (1 MiB)."
                if exc.status == 413
                else f"{exc.reason} ({request.method} {path})"
            )
            return problem_response(exc.status, title, detail, headers=_allow_header(exc))
        except Exception as exc:  # noqa: BLE001 - every error becomes a problem (problem_of)
            problem = problem_of(exc, kinds)
            return render_problem(problem, headers_of(problem, exc))

    return middleware


def _allow_header(exc: web.HTTPException) -> dict[str, str] | None:
    allow = exc.headers.get("Allow")
    return {"Allow": allow} if allow else None
