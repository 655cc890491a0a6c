"""Parse a POST /api/events body into an EventRequest, or a 422 that names each field.

Pydantic reports discriminated-union errors under the tag (`call_initiated.data.x`);
producers think in body paths (`data.x`), so the tag is dropped from `loc`.
"""

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from call_service.api.field_errors import field_error, invalid_request
from call_service.api.problems import ProblemError
from contracts.enums import PRODUCER_EVENT_TYPES, SYSTEM_EVENT_TYPES
from contracts.events import EventRequest
from contracts.problems import FieldError

_ADAPTER: TypeAdapter[EventRequest] = TypeAdapter(EventRequest)
_PRODUCER_TYPES = ", ".join(sorted(t.value for t in PRODUCER_EVENT_TYPES))
_TAGS = {t.value for t in PRODUCER_EVENT_TYPES}


def parse_event(body: bytes) -> EventRequest:
    """One event from a request body (strict JSON: no NaN, no trailing data)."""
    try:
        return _ADAPTER.validate_json(body)
    except ValidationError as exc:
        raise _invalid(exc) from exc


def validate_event(item: object) -> EventRequest:
    """One event of a batch, already parsed from JSON."""
    try:
        return _ADAPTER.validate_python(item)
    except ValidationError as exc:
        raise _invalid(exc) from exc


def _invalid(exc: ValidationError) -> ProblemError:
    return invalid_request(exc, "The event does not match the contract.", error_of=_field_error)


def _field_error(error: ErrorDetails) -> FieldError:
    loc = error["loc"]
    if loc and loc[0] in _TAGS:
        loc = loc[1:]
    kind = error["type"]
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag")
        if tag in {t.value for t in SYSTEM_EVENT_TYPES}:
            return FieldError(loc=["type"], msg=f"{tag} is written by the service itself")
        return FieldError(loc=["type"], msg=f"must be one of: {_PRODUCER_TYPES}")
    if kind == "union_tag_not_found":
        return FieldError(loc=["type"], msg="Field required")
    return field_error({**error, "loc": loc})
