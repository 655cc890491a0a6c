"""The call state machine: which event may move a call from which status, and where to.

The table is the contract's; `call_initiated` creates a call and is handled
apart because it has no "from" status.
"""

from contracts.enums import CallStatus, EventType

S = CallStatus
E = EventType

ALLOWED_FROM: dict[EventType, frozenset[CallStatus]] = {
    E.CALL_ROUTED: frozenset({S.WAITING, S.ROUTED}),
    E.CALL_ANSWERED: frozenset({S.ROUTED}),
    E.CALL_HOLD: frozenset({S.ACTIVE}),
    E.CALL_RESUMED: frozenset({S.ON_HOLD}),
    E.CALL_TRANSFERRED: frozenset({S.ACTIVE, S.ON_HOLD}),
    E.CALL_ENDED: frozenset({S.WAITING, S.ROUTED, S.ACTIVE, S.ON_HOLD}),
    # System events, written by the timer worker after re-checking the call.
    E.SLA_BREACHED: frozenset({S.WAITING, S.ROUTED}),
    E.CALL_RETRANSFER: frozenset({S.ROUTED}),
    E.HOLD_EXCEEDED: frozenset({S.ON_HOLD}),
}

_FIXED_TARGET: dict[EventType, CallStatus] = {
    E.CALL_ROUTED: S.ROUTED,
    E.CALL_ANSWERED: S.ACTIVE,
    E.CALL_HOLD: S.ON_HOLD,
    E.CALL_RESUMED: S.ACTIVE,
    E.CALL_ENDED: S.ENDED,
    E.CALL_RETRANSFER: S.WAITING,
}


def is_allowed(event_type: EventType, status: CallStatus) -> bool:
    return status in ALLOWED_FROM.get(event_type, frozenset())


def target_status(
    event_type: EventType, current: CallStatus, *, to_queue: bool = False
) -> CallStatus:
    """The status after `event_type`; call only when `is_allowed` holds.

    A transfer goes to `waiting` when it names a queue and to `routed` when it
    names an agent; SLA and hold alarms leave the status as it is.
    """
    if event_type is E.CALL_TRANSFERRED:
        return S.WAITING if to_queue else S.ROUTED
    return _FIXED_TARGET.get(event_type, current)
