"""What the list use cases filter on: plain values the API parses and the read ports apply.

Each `after` is a keyset position in the list's newest-first order: only rows strictly
after it are returned (service/keyset.py turns one extra row into the next position).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from contracts.enums import AlertKind, CallFlag, CallStatus
from contracts.webhooks import DeliveryStatus

LIVE_STATUSES = frozenset(CallStatus) - {CallStatus.ENDED}
"""`status=live`: every status but ended (a partial index covers exactly these)."""


@dataclass(frozen=True)
class CallFilters:
    statuses: frozenset[CallStatus] | None = None
    queue_id: str | None = None
    agent_id: str | None = None
    flag: CallFlag | None = None
    after: tuple[datetime, str] | None = None
    """Keyset position: calls strictly after (start_time, id), newest first."""


@dataclass(frozen=True)
class AlertFilters:
    kind: AlertKind | None = None
    queue_id: str | None = None
    call_id: str | None = None
    acknowledged: bool | None = None
    since: datetime | None = None
    """Alerts at or after this time."""
    until: datetime | None = None
    """Alerts before this time."""
    after: tuple[datetime, str] | None = None
    """Keyset position: alerts strictly after (at, id), newest first."""


@dataclass(frozen=True)
class DeliveryFilter:
    status: DeliveryStatus | None = None
    after: tuple[datetime, uuid.UUID] | None = None
    """Keyset position: deliveries strictly after (created_at, id), newest first."""
