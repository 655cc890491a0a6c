"""Errors the use cases raise besides the domain's own."""

from call_service.domain.errors import DomainError


class UnknownQueue(DomainError):
    """The event names a queue that does not exist; `loc` points at the field."""

    def __init__(self, queue_id: str, loc: tuple[str, ...]) -> None:
        super().__init__(f"queue {queue_id!r} does not exist")
        self.queue_id = queue_id
        self.loc = loc


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
