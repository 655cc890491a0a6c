"""Errors the use cases raise besides the domain's own."""

from call_service.domain.errors import DomainError


class InvalidField(DomainError):
    """A field of the request is refused by a check that needs more than its schema (the
    clock, a lookup); `loc` points at the field, so the API answers as for a schema error."""

    def __init__(self, message: str, loc: tuple[str, ...]) -> None:
        super().__init__(message)
        self.loc = loc


class UnknownQueue(InvalidField):
    """The event names a queue that does not exist."""

    def __init__(self, queue_id: str, loc: tuple[str, ...]) -> None:
        super().__init__(f"queue {queue_id!r} does not exist", loc)
        self.queue_id = queue_id


class TimestampInFuture(InvalidField):
    """The event's `timestamp` is further ahead of the server's clock than allowed."""

    def __init__(self, max_skew_s: float) -> None:
        super().__init__(
            f"must not be more than {max_skew_s:g} s ahead of the server's clock", ("timestamp",)
        )


class IdempotencyConflict(DomainError):
    def __init__(self, event_id: str) -> None:
        super().__init__(f"event_id {event_id!r} was already used for a different event")
        self.event_id = event_id


class DuplicateEventId(Exception):
    """Raised by an events repository when a concurrent request took the event_id first.

    The use case retries once in a new transaction, where the lookup finds it.
    """


class InfrastructureUnavailable(Exception):
    """PostgreSQL (or another store) cannot be reached; the API answers 503."""
