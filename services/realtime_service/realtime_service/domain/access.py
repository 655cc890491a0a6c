"""Which API-key scope each kind of room needs, checked on every subscribe.

The key is checked at connect, but a connection can live for hours. Checking the
connection's key again against the key ring at each subscribe means a key taken out
of the ring, or a scope taken away, stops new subscriptions at once. `ROOM_SCOPES` is
the one place that says who may join what.
"""

from collections.abc import Mapping
from types import MappingProxyType

from contracts.enums import Scope
from realtime_service.domain.rooms import RoomKind
from service_kit.api_keys import KeyIdentity

ROOM_SCOPES: Mapping[RoomKind, Scope] = MappingProxyType(
    {
        RoomKind.CALL: Scope.CALLS_READ,
        RoomKind.QUEUE: Scope.CALLS_READ,
        RoomKind.CALLS: Scope.CALLS_READ,
        RoomKind.ALERTS: Scope.CALLS_READ,
    }
)

KEY_REVOKED = "forbidden: the API key of this connection is no longer valid"


def refusal(identity: KeyIdentity | None, kind: RoomKind) -> str | None:
    """Why `identity` (the key as the ring sees it now; None once removed) may not join a
    room of `kind`, or None when it may."""
    if identity is None:
        return KEY_REVOKED
    scope = ROOM_SCOPES[kind]
    if not identity.allows(scope):
        return f"forbidden: {kind.value} rooms need the {scope.value} scope"
    return None
