"""Queue endpoints: read (calls:read) and administer (admin) the per-queue thresholds."""

from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError

from call_service.adapters.postgres.queue_admin import PostgresQueueAdmin
from call_service.api.auth import require_scope
from call_service.api.problems import ProblemError
from call_service.api.state import POOL, SETTINGS, THRESHOLDS_CACHE
from contracts.enums import Scope
from contracts.identifiers import QueueId
from contracts.problems import FieldError
from contracts.queues import Queue, QueueCreate, QueueList, QueuePatch

_QUEUE_ID: TypeAdapter[str] = TypeAdapter(QueueId)
_JSON_TYPES = frozenset({"application/json", "application/merge-patch+json"})
Body = TypeVar("Body", bound=BaseModel)


def _json(model: BaseModel, status: int = 200, **headers: str) -> web.Response:
    return web.Response(
        status=status,
        text=model.model_dump_json(),
        content_type="application/json",
        headers=headers or None,
    )


def _field_error(error: Any) -> FieldError | None:
    """Queue bodies are flat, so the field name is the whole location; the second
    half of an `X | None` union (`none_required`) only repeats the first."""
    if error["type"] == "none_required":
        return None
    if error["type"] == "json_invalid":
        return FieldError(loc=[], msg=f"Invalid JSON: {error.get('ctx', {}).get('error', '')}")
    if error["type"] == "model_type":
        return FieldError(loc=[], msg="The body must be a JSON object")
    return FieldError(loc=list(error["loc"][:1]), msg=error["msg"])


async def _body(request: web.Request, model: type[Body]) -> Body:
    if request.content_type not in _JSON_TYPES:
        raise ProblemError(415, "Unsupported media type", "Send the queue as application/json.")
    try:
        return model.model_validate_json(await request.read())
    except ValidationError as exc:
        found = (_field_error(e) for e in exc.errors(include_url=False))
        errors = [e for e in found if e is not None]
        raise ProblemError(422, "Validation failed", "The queue is not valid.", errors) from exc


def _queue_id(request: web.Request) -> str:
    try:
        return _QUEUE_ID.validate_python(request.match_info["queue_id"])
    except ValidationError as exc:
        raise ProblemError(404, "Queue not found", "No queue has that id.") from exc


def _found(queue: Queue | None) -> Queue:
    if queue is None:
        raise ProblemError(404, "Queue not found", "No queue has that id.")
    return queue


async def list_queues(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    queues = await PostgresQueueAdmin(request.app[POOL]).list_queues()
    return _json(QueueList(data=queues))


async def get_queue(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    queue = await PostgresQueueAdmin(request.app[POOL]).get_queue(_queue_id(request))
    return _json(_found(queue))


async def create_queue(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    new = await _body(request, QueueCreate)
    defaults = request.app[SETTINGS].default_thresholds
    new = new.model_copy(
        update={
            "sla_seconds": new.sla_seconds or defaults.sla_seconds,
            "no_answer_seconds": new.no_answer_seconds or defaults.no_answer_seconds,
            "max_hold_seconds": new.max_hold_seconds or defaults.max_hold_seconds,
            "short_call_seconds": (
                defaults.short_call_seconds
                if new.short_call_seconds is None
                else new.short_call_seconds
            ),
        }
    )
    queue = await PostgresQueueAdmin(request.app[POOL]).create_queue(new)
    if queue is None:
        raise ProblemError(409, "Conflict", f"A queue with id {new.id!r} already exists.")
    return _json(queue, 201, Location=f"/api/queues/{queue.id}")


async def patch_queue(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    queue_id = _queue_id(request)
    patch = await _body(request, QueuePatch)
    queue = await PostgresQueueAdmin(request.app[POOL]).patch_queue(queue_id, patch)
    request.app[THRESHOLDS_CACHE].forget(queue_id)
    return _json(_found(queue))


QUEUE_ROUTES: list[web.RouteDef] = [
    web.get("/api/queues", list_queues),
    web.post("/api/queues", create_queue),
    web.get("/api/queues/{queue_id}", get_queue),
    web.patch("/api/queues/{queue_id}", patch_queue),
]
QUEUE_MODELS: list[type[BaseModel]] = [Queue, QueueList, QueueCreate, QueuePatch]

_REF = "#/components/schemas/{}"
_KEY: list[dict[str, list[str]]] = [{"apiKey": []}]
_PROBLEM = {"application/problem+json": {"schema": {"$ref": _REF.format("Problem")}}}
_PROBLEM_TEXT = {
    401: "Missing or unknown API key.",
    403: "The key lacks the scope.",
    404: "No queue has that id.",
    409: "A queue with that id already exists.",
    415: "Body is not application/json.",
    422: "Validation failed; `errors` names the fields.",
    503: "Database unavailable.",
}
_QUEUE_ID_PARAM = {"name": "queue_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _content(model: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": _REF.format(model)}}}


def _operation(summary: str, ok: tuple[str, str, str], *codes: int, **extra: Any) -> Any:
    status, text, model = ok
    responses = {status: {"description": text, "content": _content(model)}}
    for code in (401, 403, *codes, 503):
        responses[str(code)] = {"description": _PROBLEM_TEXT[code], "content": _PROBLEM}
    return {"summary": summary, "security": _KEY, "responses": responses, **extra}


QUEUE_OPENAPI_PATHS: dict[str, Any] = {
    "/api/queues": {
        "get": _operation("List queues (scope calls:read)", ("200", "Queues.", "QueueList")),
        "post": _operation(
            "Create a queue; thresholds left out take the defaults (scope admin)",
            ("201", "Created.", "Queue"),
            409,
            415,
            422,
            requestBody={"required": True, "content": _content("QueueCreate")},
        ),
    },
    "/api/queues/{queue_id}": {
        "get": _operation(
            "One queue (scope calls:read)",
            ("200", "The queue.", "Queue"),
            404,
            parameters=[_QUEUE_ID_PARAM],
        ),
        "patch": _operation(
            "Change some of a queue's settings (scope admin)",
            ("200", "The changed queue.", "Queue"),
            404,
            415,
            422,
            parameters=[_QUEUE_ID_PARAM],
            requestBody={"required": True, "content": _content("QueuePatch")},
        ),
    },
}
