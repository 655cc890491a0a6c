"""What the `/` namespace answers: the subscribe request's parsing and every ack's text.

An ack is `{"ok": true}` (with `resumed` after a resume) or `{"ok": false, "error": …}`;
each refusal's text tells the client what to do instead (docs/api.md, realtime protocol).
"""

from typing import Any

from pydantic import ValidationError

from contracts.realtime import Ack, SubscribeRequest
from realtime_service.domain.backlog import MAX_EVENTS
from realtime_service.domain.rooms import room_error

UNAUTHORIZED = "unauthorized"
BAD_REQUEST = 'expected {"room": "<room name>"} or {"room": "call:<id>", "since_seq": <int ≥ 0>}'
RESUME_CALL_ROOMS_ONLY = (
    "since_seq is only for call:<id> rooms; calls and queue: rooms resync from the REST API"
    " (subscribe without since_seq, then GET /api/calls and merge by seq)"
)
RESYNC = "subscribe without since_seq and resync from the REST API"
RESUME_NO_DATABASE = f"resume unavailable: this realtime process has no database; {RESYNC}"
RESUME_DOWN = f"resume unavailable: the database cannot be read now; {RESYNC}"
RESUME_TOO_FAR = f"resume unavailable: more than {MAX_EVENTS} events after since_seq; {RESYNC}"
RESUME_IN_PROGRESS = "resume unavailable: a resume of this room is already in progress"
RESUME_RATE_LIMITED = f"too many resumes, retry later; or {RESYNC}"
INTERNAL_ERROR = "internal error, retry later"


def parse(data: object) -> tuple[SubscribeRequest | None, str]:
    """The request, or None and the refusal's text."""
    try:
        request = SubscribeRequest.model_validate(data)
    except ValidationError:
        return None, BAD_REQUEST
    error = room_error(request.room)
    if error is not None:
        return None, error
    return request, ""


def ack(resumed: int | None = None) -> dict[str, Any]:
    return Ack(ok=True, resumed=resumed).model_dump(exclude_none=True)


def nack(error: str) -> dict[str, Any]:
    return Ack(ok=False, error=error).model_dump(exclude_none=True)
