"""Send one claimed delivery: signed POSTs, retried with tenacity, every attempt recorded.

An attempt succeeds on a 2xx answer within the timeout; anything else (another
status, a redirect — never followed —, a refused connection, a timeout, a target
that is no longer allowed) is a failed attempt. Each
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
from yarl import URL

from call_service.adapters.postgres.webhook_deliveries import (
    AttemptOutcome,
    ClaimedDelivery,
    record_attempt,
)
from call_service.webhooks.policy import WebhookPolicy
from call_service.webhooks.signing import signed_headers
from call_service.webhooks.target_check import UNRESOLVED, TargetCheck, TargetRefused
from call_service.webhooks.target_policy import InvalidHost, literal_address

_log = structlog.get_logger(__name__)
ATTEMPTS = Counter("webhook_attempts_total", "Webhook HTTP attempts.", ["outcome"])


class AttemptFailed(Exception):
    """One attempt did not get a 2xx; tenacity retries on exactly this."""


@dataclass(frozen=True)
class DeliveryContext:
    pool: Any
    session: aiohttp.ClientSession
    policy: WebhookPolicy
    targets: TargetCheck


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
    outcome = await post_signed(context, delivery, body)
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
    context: DeliveryContext, delivery: ClaimedDelivery, body: bytes
) -> AttemptOutcome:
    """One POST with fresh signature headers; never raises for a receiver's failure.

    The recorded error says what kind of failure it was and nothing about the
    network behind the target; the worker's log line carries the details.
    """
    attempted_at = datetime.now(UTC)
    started = time.perf_counter()
    timeout_s = context.policy.timeout_s
    status_code: int | None = None
    detail: str | None = None
    try:
        await _check_literal_host(context.targets, delivery.url)
        headers = signed_headers(
            delivery.secret, int(time.time()), body, str(delivery.id), delivery.event_type
        )
        timeout = aiohttp.ClientTimeout(total=timeout_s, connect=min(timeout_s, 2.0))
        async with context.session.post(
            delivery.url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        ) as response:
            status_code = response.status
        error = None if 200 <= status_code < 300 else f"HTTP {status_code}"
    except TimeoutError:
        error = f"timed out after {timeout_s:g} s"
    except TargetRefused as exc:
        error, detail = str(exc), _refused_detail(exc)
    except aiohttp.ClientConnectorError as exc:
        error, detail = _connect_error(exc), _os_detail(exc.os_error)
    except (aiohttp.ClientError, ValueError) as exc:
        error, detail = "request failed", type(exc).__name__
    duration_ms = (time.perf_counter() - started) * 1000
    if detail is not None:
        _log.info("webhook_transport_error", delivery_id=str(delivery.id), error=detail)
    return AttemptOutcome(attempted_at, duration_ms, status_code, error)


async def _check_literal_host(targets: TargetCheck, url: str) -> None:
    """An IP-literal host skips aiohttp's resolver, so it is checked here (no lookup)."""
    parsed = URL(url)
    host, port = parsed.raw_host, parsed.port
    if not host or port is None:
        raise TargetRefused()
    try:
        literal = literal_address(host)
    except InvalidHost as exc:
        raise TargetRefused() from exc
    if literal is not None:
        await targets.addresses(host, port)


def _refused_detail(exc: TargetRefused) -> str:
    return f"{exc.reason}: {exc.address}" if exc.address else exc.reason


def _os_detail(exc: OSError) -> str:
    if isinstance(exc, TargetRefused):
        return _refused_detail(exc)
    return exc.strerror or type(exc).__name__


def _connect_error(exc: aiohttp.ClientConnectorError) -> str:
    if isinstance(exc.os_error, TargetRefused):
        return str(exc.os_error)
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return UNRESOLVED
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return "TLS handshake failed"
    return "connection failed"
