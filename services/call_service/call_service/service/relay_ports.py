"""What the relay's use case (publish_outbox) needs: the outbox's pending rows, a publisher."""

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ClaimedOutboxRow:
    id: int
    ordering_key: str
    kind: str
    payload: str
    """The JSON text as stored: published as is, never decoded and re-encoded."""
    correlation_id: str | None
    attempts: int
    seq: int | None
    """The event's seq for call events (for the log line), None for alerts."""


class OutboxBatch(Protocol):
    """Claimed rows, locked until the claim ends; marks are written in the same transaction."""

    @property
    def rows(self) -> list[ClaimedOutboxRow]:
        """The claimed rows in id order: each call's pending rows, oldest first."""

    async def mark_published(self, ids: list[int]) -> None:
        """These rows are out; they are no longer pending."""

    async def mark_failed(
        self, ids: list[int], error: str, base_backoff_s: float, max_backoff_s: float
    ) -> None:
        """Record the failure; the rows stay pending and are retried after a growing delay."""


class RelayOutbox(Protocol):
    """The outbox as the relay sees it: claims of pending rows, and a purge of old ones."""

    def claim(self, heads: int, limit: int) -> AbstractAsyncContextManager[OutboxBatch]:
        """Lock up to `heads` calls' oldest pending rows and take up to `limit` of their rows.

        A row is a head only while nothing older of its call is pending, so a
        concurrent relay can take no later row of a claimed call: per-call order
        holds with any number of relays. Leaving the block commits the marks (or,
        on an error, rolls back: the rows stay pending, nothing is lost).
        """

    async def purge_published(self, retention_s: float) -> int:
        """Delete rows published longer ago than `retention_s`; how many were deleted."""


class PublishFailed(Exception):
    """Every attempt to publish failed; the message says why (no URL, no payload)."""


class Publisher(Protocol):
    """The realtime channel the relay publishes the outbox's messages on."""

    async def publish_batch(self, messages: list[str]) -> list[int]:
        """Publish in order; each message's receiver count. PublishFailed when it could not."""
