"""In-memory fakes of the relay's ports (service/relay_ports.py): the outbox and a publisher.

`FakeRelayOutbox` keeps rows per call in id order. A claim takes, per call, the
pending rows from its oldest one (its head) on, for up to `heads` calls whose head
is not backing off after a failure; its marks apply only when the claim's block
ends without an error, as a transaction's would.
"""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from call_service.service.relay_ports import ClaimedOutboxRow, PublishFailed


@dataclass
class StoredRow:
    row: ClaimedOutboxRow
    published: bool = False
    attempts: int = 0
    last_error: str | None = None
    backoff_s: float | None = None
    """The delay of the last failure (the row is not due while it is set)."""


@dataclass
class FakeClaim:
    rows: list[ClaimedOutboxRow]
    published: list[int] = field(default_factory=list)
    failed: list[tuple[list[int], str, float, float]] = field(default_factory=list)

    async def mark_published(self, ids: list[int]) -> None:
        self.published.extend(ids)

    async def mark_failed(
        self, ids: list[int], error: str, base_backoff_s: float, max_backoff_s: float
    ) -> None:
        self.failed.append((list(ids), error, base_backoff_s, max_backoff_s))


class FakeRelayOutbox:
    def __init__(self) -> None:
        self.stored: list[StoredRow] = []
        self.claims = 0

    def add(self, ordering_key: str, payload: str, correlation_id: str | None = None) -> int:
        row_id = len(self.stored) + 1
        row = ClaimedOutboxRow(row_id, ordering_key, "call_event", payload, correlation_id, 0, None)
        self.stored.append(StoredRow(row))
        return row_id

    def pending(self) -> list[int]:
        return [s.row.id for s in self.stored if not s.published]

    def published(self) -> list[int]:
        return [s.row.id for s in self.stored if s.published]

    def row(self, row_id: int) -> StoredRow:
        return self.stored[row_id - 1]

    @contextlib.asynccontextmanager
    async def claim(self, heads: int, limit: int) -> AsyncIterator[FakeClaim]:
        self.claims += 1
        claim = FakeClaim(self._claimable(heads, limit))
        yield claim  # an exception here drops the marks: a rollback
        for row_id in claim.published:
            self.row(row_id).published = True
        for ids, error, base_backoff_s, max_backoff_s in claim.failed:
            for row_id in ids:
                stored = self.row(row_id)
                stored.backoff_s = min(base_backoff_s * 2**stored.attempts, max_backoff_s)
                stored.attempts += 1
                stored.last_error = error

    async def purge_published(self, retention_s: float) -> int:
        before = len(self.stored)
        self.stored = [s for s in self.stored if not s.published]
        return before - len(self.stored)

    def _claimable(self, heads: int, limit: int) -> list[ClaimedOutboxRow]:
        by_key: dict[str, list[StoredRow]] = {}
        for stored in self.stored:
            if not stored.published:
                by_key.setdefault(stored.row.ordering_key, []).append(stored)
        keys = [k for k, rows in by_key.items() if rows[0].backoff_s is None][:heads]
        taken = sorted((s.row for k in keys for s in by_key[k]), key=lambda r: r.id)
        return taken[:limit]


class FakePublisher:
    """Each message reaches `listeners` subscribers; `fail_with` makes every publish fail."""

    def __init__(self, listeners: int = 1) -> None:
        self.listeners = listeners
        self.fail_with: str | None = None
        self.heard_by: dict[str, int] = {}
        """Per message, a receiver count that overrides `listeners`."""
        self.sent: list[str] = []

    async def publish_batch(self, messages: list[str]) -> list[int]:
        if self.fail_with is not None:
            raise PublishFailed(self.fail_with)
        self.sent.extend(messages)
        return [self.heard_by.get(m, self.listeners) for m in messages]
