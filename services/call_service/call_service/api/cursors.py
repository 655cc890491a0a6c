"""Opaque keyset cursors: (timestamp, id) of the last row of a page, base64url JSON."""

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from call_service.api.field_errors import validation_failed
from call_service.api.problems import ProblemError
from call_service.service.keyset import Page
from contracts.identifiers import printable
from contracts.problems import FieldError
from contracts.times import within_range


def encode_cursor(at: datetime, row_id: str) -> str:
    raw = json.dumps([at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, row_id = json.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(at, str) or not isinstance(row_id, str):
            raise ValueError("not a cursor")
        # A cursor is the client's to edit: what it carries must be storable again.
        return within_range(datetime.fromisoformat(at)), printable(row_id)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise invalid_cursor() from exc


def invalid_cursor() -> ProblemError:
    """The 422 for a cursor this API did not hand out; public so that a handler whose
    ids must parse further (a UUID) refuses a bad one with the same answer."""
    return validation_failed(
        "The cursor is not valid.",
        [FieldError(loc=["query", "cursor"], msg="not a cursor from this API")],
    )


def next_cursor(page: Page[Any]) -> str | None:
    """The cursor of the page after `page`; None when `page` is the last."""
    return encode_cursor(*page.next_after) if page.next_after is not None else None
