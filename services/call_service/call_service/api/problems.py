"""RFC 9457 problem+json responses, and the one middleware that turns errors into them.

Bad input → 4xx naming the fields; infrastructure down → 503; anything else →
a logged 500 carrying the correlation id and no stack trace for the client.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import structlog
from aiohttp import web

from call_service.domain.errors import (
    CallAlreadyExists,
    CallNotFound,
    DomainError,
    TransitionNotAllowed,
)
from call_service.service.errors import IdempotencyConflict, InfrastructureUnavailable, UnknownQueue
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
    if isinstance(exc, UnknownQueue):
        errors = [FieldError(loc=list(exc.loc), msg=str(exc))]
        return make_problem(422, "Validation failed", str(exc), errors)
    if isinstance(exc, CallAlreadyExists | TransitionNotAllowed | IdempotencyConflict):
        return make_problem(409, "Conflict", str(exc))
    return make_problem(422, "Rule violated", str(exc))


DATABASE_UNAVAILABLE = make_problem(503, "Service unavailable", "The database is unavailable.")


_HTTP_TITLES = {
    404: "Not found",
    405: "Method not allowed",
    413: "Payload too large",
}


def error_middleware(unavailable: tuple[type[BaseException], ...]) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except ProblemError as exc:
            return exc.response
        except DomainError as exc:
            return render_problem(domain_problem(exc))
        except InfrastructureUnavailable:
            return render_problem(DATABASE_UNAVAILABLE)
        except unavailable as exc:
            _log.warning("dependency_unavailable", error=type(exc).__name__)
            return render_problem(DATABASE_UNAVAILABLE)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            title = _HTTP_TITLES.get(exc.status, exc.reason)
            detail = (
                "The request body is larger than 64 KiB."
                if exc.status == 413
                else f"{exc.reason} ({request.method} {request.path})"
            )
            return problem_response(exc.status, title, detail, headers=_allow_header(exc))
        except Exception:  # noqa: BLE001 - last resort: logged with the correlation id
            _log.exception("unhandled_error", path=request.path, method=request.method)
            return problem_response(500, "Internal error", "An unexpected error was logged.")

    return middleware


def _allow_header(exc: web.HTTPException) -> dict[str, str] | None:
    allow = exc.headers.get("Allow")
    return {"Allow": allow} if allow else None
