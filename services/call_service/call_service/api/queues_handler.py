"""Queue endpoints: read (calls:read) and administer (admin) the per-queue thresholds."""

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError

from call_service.api.app_keys import QUEUE_ADMIN, SETTINGS, THRESHOLDS_CACHE
from call_service.api.auth import require_scope
from call_service.api.field_errors import flat_field_error
from call_service.api.openapi import Route, operation, path_parameter
from call_service.api.problems import ProblemError
from call_service.api.request_body import parse_body
from call_service.api.responses import json_model
from call_service.service import queue_admin
from contracts.enums import Scope
from contracts.identifiers import QueueId
from contracts.queues import Queue, QueueCreate, QueueList, QueuePatch

_QUEUE_ID: TypeAdapter[str] = TypeAdapter(QueueId)
_MEDIA_TYPES = frozenset({"application/json", "application/merge-patch+json"})


def _queue_id(request: web.Request) -> str:
    try:
        return _QUEUE_ID.validate_python(request.match_info["queue_id"])
    except ValidationError as exc:
        raise _no_queue() from exc


def _no_queue() -> ProblemError:
    return ProblemError(404, "Queue not found", "No queue has that id.")


def _found(queue: Queue | None) -> Queue:
    if queue is None:
        raise _no_queue()
    return queue


async def list_queues(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    return json_model(QueueList(data=await queue_admin.list_queues(request.app[QUEUE_ADMIN])))


async def get_queue(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    return json_model(
        _found(await queue_admin.get_queue(request.app[QUEUE_ADMIN], _queue_id(request)))
    )


async def create_queue(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    new = await parse_body(request, QueueCreate, "queue", _MEDIA_TYPES, flat_field_error)
    defaults = request.app[SETTINGS].default_thresholds
    queue = await queue_admin.create_queue(request.app[QUEUE_ADMIN], new, defaults)
    if queue is None:
        raise ProblemError(409, "Conflict", f"A queue with id {new.id!r} already exists.")
    return json_model(queue, 201, {"Location": f"/api/queues/{queue.id}"})


async def patch_queue(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    queue_id = _queue_id(request)
    patch = await parse_body(request, QueuePatch, "queue", _MEDIA_TYPES, flat_field_error)
    queue = await queue_admin.patch_queue(
        request.app[QUEUE_ADMIN], request.app[THRESHOLDS_CACHE], queue_id, patch
    )
    return json_model(_found(queue))


MODELS: list[type[BaseModel]] = [Queue, QueueList, QueueCreate, QueuePatch]
_TEXTS = {
    403: "The key lacks the scope.",
    404: "No queue has that id.",
    409: "A queue with that id already exists.",
    503: "Database unavailable.",
}
_QUEUE = [path_parameter("queue_id")]
ROUTES = [
    Route(
        "GET",
        "/api/queues",
        list_queues,
        operation("List queues (scope calls:read)", "QueueList", ok_text="Queues.", texts=_TEXTS),
    ),
    Route(
        "POST",
        "/api/queues",
        create_queue,
        operation(
            "Create a queue; thresholds left out take the defaults (scope admin)",
            "Queue",
            ok_status=201,
            ok_text="Created.",
            body_model="QueueCreate",
            errors=(409, 415, 422),
            texts=_TEXTS,
        ),
    ),
    Route(
        "GET",
        "/api/queues/{queue_id}",
        get_queue,
        operation(
            "One queue (scope calls:read)",
            "Queue",
            ok_text="The queue.",
            parameters=_QUEUE,
            errors=(404,),
            texts=_TEXTS,
        ),
    ),
    Route(
        "PATCH",
        "/api/queues/{queue_id}",
        patch_queue,
        operation(
            "Change some of a queue's settings (scope admin)",
            "Queue",
            ok_text="The changed queue.",
            parameters=_QUEUE,
            body_model="QueuePatch",
            errors=(404, 415, 422),
            texts=_TEXTS,
        ),
    ),
]
