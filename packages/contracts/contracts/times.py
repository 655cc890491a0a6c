"""Instants the API accepts: aware, and inside the range every layer below can hold.

PostgreSQL stores years 4713 BC to 294276 AD, Python's datetime years 1 to 9999; an
offset can push `0001-01-01T00:00:00+01:00` or `9999-12-31T23:59:59-01:00` out of
Python's range once converted to UTC, and a timer or window added to an instant near
9999 overflows. Calls happen now: nothing before the Unix epoch is a real event, and
LATEST leaves centuries of room for every addition the service makes.
"""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def within_range(value: datetime) -> datetime:
    """`value` unchanged, or ValueError when it lies outside [EARLIEST, LATEST)."""
    if value.tzinfo is None:
        raise ValueError("must carry a UTC offset")
    try:
        utc = value.astimezone(UTC)
    except OverflowError as exc:
        if value.year < EARLIEST.year:
            raise ValueError("must not be before 1970-01-01T00:00:00Z") from exc
        raise ValueError("is outside the range of dates this service stores") from exc
    if utc < EARLIEST:
        raise ValueError("must not be before 1970-01-01T00:00:00Z")
    if utc >= LATEST:
        raise ValueError("is outside the range of dates this service stores")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(within_range)]
"""An RFC 3339 date-time with offset, from 1970 on."""
