"""Use case: send one claimed delivery — signed POSTs, retried, every attempt recorded.

An attempt succeeds on a 2xx answer within the timeout; anything else (another
status, a redirect — never followed —, a refused connection, a timeout, a target
that is no longer allowed) is a failed attempt. Each attempt is recorded as it
happens, so a worker that dies mid-retry loses nothing: the claim expires and the
next worker continues with the attempts that are left. After the last one the
delivery is `dead`.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential
from yarl import URL

from call_service.domain.webhook_targets import InvalidHost, literal_address
from call_service.service.ports import Clock
from call_service.service.target_check import TargetCheck, TargetRefused
from call_service.service.webhook_ports import (
    REQUEST_FAILED,
    AttemptOutcome,
    AttemptReport,
    AttemptStatus,
    ClaimedDelivery,
    DeliveryQueue,
    HeaderSigner,
    PostResult,
    WebhookTransport,
)


class AttemptFailed(Exception):
    """One attempt did not get a 2xx; the retries go on on exactly this."""


@dataclass(frozen=True)
class RetrySchedule:
    attempts: int = 3
    """Attempts per delivery, counting those of earlier claims."""
    backoff_s: float = 0.5
    """The wait after the first failed attempt; it doubles after each further one."""
    max_backoff_s: float = 4.0


@dataclass(frozen=True)
class SendPorts:
    queue: DeliveryQueue
    transport: WebhookTransport
    targets: TargetCheck
    sign: HeaderSigner
    clock: Clock
    report: AttemptReport


def encode_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent (compact JSON of the IntegrationEvent)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class DeliverySender:
    def __init__(
        self,
        ports: SendPorts,
        schedule: RetrySchedule,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._ports = ports
        self._schedule = schedule
        self._sleep = sleep

    async def deliver(self, delivery: ClaimedDelivery) -> Literal["delivered", "dead"]:
        """Attempt until delivered or the budget is spent; the final status."""
        schedule = self._schedule
        body = encode_body(delivery.payload)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(max(schedule.attempts - delivery.attempts, 1)),
            wait=wait_exponential(multiplier=schedule.backoff_s, max=schedule.max_backoff_s),
            retry=retry_if_exception_type(AttemptFailed),
            reraise=True,
            sleep=self._sleep,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    number = delivery.attempts + attempt.retry_state.attempt_number
                    await self._attempt(delivery, body, number)
        except AttemptFailed:
            return "dead"
        return "delivered"

    async def _attempt(self, delivery: ClaimedDelivery, body: bytes, number: int) -> None:
        ports = self._ports
        attempted_at = ports.clock.now()
        result = await self._refused_literal(delivery.url)
        if result is None:
            headers = ports.sign(
                delivery.secret,
                int(attempted_at.timestamp()),
                body,
                str(delivery.id),
                delivery.event_type,
            )
            result = await ports.transport.post(delivery.url, body, headers)
        elapsed_ms = (ports.clock.now() - attempted_at).total_seconds() * 1000
        outcome = AttemptOutcome(
            attempted_at, max(elapsed_ms, 0.0), result.status_code, _error_of(result)
        )
        if result.detail is not None:
            ports.report.transport_failed(delivery, result.detail)
        ok = outcome.error is None
        status: AttemptStatus = (
            "delivered" if ok else ("dead" if number >= self._schedule.attempts else "in_flight")
        )
        await ports.queue.record_attempt(delivery.id, outcome, status)
        ports.report.recorded(delivery, number, outcome, status)
        if not ok:
            raise AttemptFailed(outcome.error)

    async def _refused_literal(self, url: str) -> PostResult | None:
        """An IP-literal host skips the transport's checked lookups, so it is checked here
        (no lookup); None when the URL may be posted to."""
        try:
            parsed = URL(url)
            host, port = parsed.raw_host, parsed.port
            if not host or port is None:
                raise TargetRefused()
            try:
                literal = literal_address(host)
            except InvalidHost as exc:
                raise TargetRefused() from exc
            if literal is not None:
                await self._ports.targets.addresses(host, port)
        except TargetRefused as exc:
            return PostResult(None, str(exc), exc.log_detail)
        except ValueError as exc:
            return PostResult(None, REQUEST_FAILED, type(exc).__name__)
        return None


def _error_of(result: PostResult) -> str | None:
    """None for a 2xx answer; else what the attempts log says went wrong."""
    if result.error is not None:
        return result.error
    if result.status_code is not None and 200 <= result.status_code < 300:
        return None
    return f"HTTP {result.status_code}"
