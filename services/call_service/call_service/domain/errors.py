"""Domain errors: a producer asked for something the call's life does not allow."""

from contracts.enums import CallStatus, EventType


class DomainError(Exception):
    """Base of every rule violation; the API maps each subclass to a 4xx problem."""


class CallNotFound(DomainError):
    def __init__(self, call_id: str) -> None:
        super().__init__(f"call {call_id!r} does not exist")
        self.call_id = call_id


class CallAlreadyExists(DomainError):
    def __init__(self, call_id: str) -> None:
        super().__init__(f"call {call_id!r} already exists")
        self.call_id = call_id


class TransitionNotAllowed(DomainError):
    def __init__(self, event_type: EventType, status: CallStatus) -> None:
        super().__init__(f"{event_type.value} is not allowed when the call is {status.value}")
        self.event_type = event_type
        self.status = status
