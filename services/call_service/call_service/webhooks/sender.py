"""Send one claimed delivery: signed POSTs, retried with tenacity, every attempt recorded.

An attempt succeeds on a 2xx answer within the timeout; anything else (another
status, a redirect, a refused connection, a timeout) is a failed attempt. Each
attempt is written to the attempts log as it happens, so a worker that dies
mid-retry loses nothing: the claim expires and the next worker continues with
the attempts that are left. After the last one the delivery is `dead`.
"""

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import structlog
from prometheus_client import Counter
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from call_service.adapters.postgres.webhook_deliveries import (
    AttemptOutcome,
    ClaimedDelivery,
    record_attempt,
)
from call_service.webhooks.policy import WebhookPolicy
from call_service.webhooks.signing import signed_headers

_log = structlog.get_logger(__name__)
ATTEMPTS = Counter("webhook_attempts_total", "Webhook HTTP attempts.", ["outcome"])


class AttemptFailed(Exception):
    """One attempt did not get a 2xx; tenacity retries on exactly this."""


@dataclass(frozen=True)
class DeliveryContext:
    pool: Any
    session: aiohttp.ClientSession
    policy: WebhookPolicy


def encode_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent (compact JSON of the IntegrationEvent)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


async def deliver(context: DeliveryContext, delivery: ClaimedDelivery) -> str:
    """Attempt until delivered or the budget is spent; the final status."""
    policy = context.policy
    body = encode_body(delivery.payload)
    retrying = AsyncRetrying(
        stop=stop_after_attempt(max(policy.attempts - delivery.attempts, 1)),
        wait=wait_exponential(multiplier=policy.backoff_s, max=policy.max_backoff_s),
        retry=retry_if_exception_type(AttemptFailed),
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                number = delivery.attempts + attempt.retry_state.attempt_number
                await _attempt(context, delivery, body, number)
    except AttemptFailed:
        return "dead"
    return "delivered"


async def _attempt(
    context: DeliveryContext, delivery: ClaimedDelivery, body: bytes, number: int
) -> None:
    outcome = await post_signed(context.session, delivery, body, context.policy.timeout_s)
    ok = outcome.error is None
    status = "delivered" if ok else ("dead" if number >= context.policy.attempts else "in_flight")
    async with context.pool.acquire() as conn:
        await record_attempt(conn, delivery.id, outcome, status)
    ATTEMPTS.labels("ok" if ok else "failed").inc()
    log = _log.info if ok else _log.warning
    log(
        f"webhook_{status}" if status != "in_flight" else "webhook_attempt_failed",
        delivery_id=str(delivery.id),
        webhook_id=str(delivery.webhook_id),
        event_type=delivery.event_type,
        attempt=number,
        status_code=outcome.status_code,
        error=outcome.error,
        duration_ms=round(outcome.duration_ms, 1),
        correlation_id=delivery.correlation_id,
    )
    if not ok:
        raise AttemptFailed(outcome.error)


async def post_signed(
    session: aiohttp.ClientSession, delivery: ClaimedDelivery, body: bytes, timeout_s: float
) -> AttemptOutcome:
    """One POST with fresh signature headers; never raises for a receiver's failure."""
    attempted_at = datetime.now(UTC)
    started = time.perf_counter()
    headers = signed_headers(
        delivery.secret, int(time.time()), body, str(delivery.id), delivery.event_type
    )
    timeout = aiohttp.ClientTimeout(total=timeout_s, connect=min(timeout_s, 2.0))
    status_code: int | None = None
    try:
        async with session.post(
            delivery.url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        ) as response:
            status_code = response.status
        error = None if 200 <= status_code < 300 else f"HTTP {status_code}"
    except TimeoutError:
        error = f"timed out after {timeout_s:g} s"
    except aiohttp.ClientConnectorError as exc:
        error = f"connection failed: {exc.os_error.strerror or type(exc.os_error).__name__}"
    except aiohttp.ClientError as exc:
        error = f"request failed: {type(exc).__name__}"
    duration_ms = (time.perf_counter() - started) * 1000
    return AttemptOutcome(attempted_at, duration_ms, status_code, error)
