"""The real clock (the domain never reads it; entry points pass `now` in through this)."""

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
