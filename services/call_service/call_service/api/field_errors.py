"""A pydantic ValidationError as the RFC 9457 problem that names each field (422).

One rule for every body and query string of the API: the location is the field's
path in the request (`["query", name]` for query parameters), JSON that does not
parse and a body that is not an object are named at the root with a plain message.
Parsers with more to say (event_parsing.py, queue bodies) adjust an error first.
"""

from collections.abc import Callable, Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from call_service.api.problems import ProblemError
from contracts.problems import FieldError

FieldErrorOf = Callable[[ErrorDetails], FieldError | None]
"""One pydantic error as the FieldError the client sees; None leaves it out."""
_NOT_AN_OBJECT = frozenset({"model_type", "model_attributes_type"})


def field_error(error: ErrorDetails) -> FieldError:
    if error["type"] == "json_invalid":
        return FieldError(loc=[], msg=f"Invalid JSON: {error.get('ctx', {}).get('error', '')}")
    if error["type"] in _NOT_AN_OBJECT and not error["loc"]:
        return FieldError(loc=[], msg="The body must be a JSON object")
    return FieldError(loc=list(error["loc"]), msg=error["msg"])


def flat_field_error(error: ErrorDetails) -> FieldError | None:
    """For a body of scalar fields, where the field name is the whole location.

    An `X | None` field reports its failure once per union member; the `None`
    member's error (`none_required`) only repeats the first and is left out.
    """
    if error["type"] == "none_required":
        return None
    found = field_error(error)
    return FieldError(loc=found.loc[:1], msg=found.msg)


def validation_failed(detail: str, errors: Sequence[FieldError]) -> ProblemError:
    return ProblemError(422, "Validation failed", detail, errors)


def invalid_request(
    exc: ValidationError,
    detail: str,
    prefix: tuple[str, ...] = (),
    error_of: FieldErrorOf = field_error,
) -> ProblemError:
    """The 422 for `exc`; `prefix` goes before every location (("query",) for a query)."""
    found = (error_of(e) for e in exc.errors(include_url=False))
    errors = [FieldError(loc=[*prefix, *e.loc], msg=e.msg) for e in found if e is not None]
    return validation_failed(detail, errors)
