"""HMAC-SHA256 signatures of webhook bodies, and the check a receiver runs.

The signed message is `"{timestamp}.{body}"`: binding the timestamp into the
MAC lets a receiver reject an old (replayed) request even though the body is
the same, and the `.` separator keeps timestamp and body from running together.
No I/O (only `verify_signature` may read the clock): shared by the call service's
webhook sender and any receiver written in Python (devstack's demo receiver, the tests).
"""

import hashlib
import hmac
import time

SIGNATURE_PREFIX = "sha256="
DEFAULT_TOLERANCE_S = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Webhook-Signature` header value: `sha256=<hex>`."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify_signature(
    secret: str,
    timestamp: str | int,
    body: bytes,
    header: str,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    *,
    now: float | None = None,
) -> bool:
    """True only if `header` signs `body` at `timestamp` and the timestamp is recent.

    For receivers: pass the raw request body (before any JSON parsing), the
    `X-Webhook-Timestamp` and `X-Webhook-Signature` headers (`now` defaults to
    the current unix time). A timestamp more than `tolerance_s` away from `now` (either way)
    is refused, so a captured request cannot be replayed later. The comparison
    is constant-time.
    """
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        return False
    if not header.startswith(SIGNATURE_PREFIX):
        return False
    return hmac.compare_digest(sign(secret, sent_at, body), header)


def signed_headers(
    secret: str, timestamp: int, body: bytes, delivery_id: str, event_type: str
) -> dict[str, str]:
    """Every header of one delivery attempt (a fresh timestamp per attempt)."""
    return {
        "Content-Type": "application/json",
        "X-Webhook-Id": delivery_id,
        "X-Webhook-Event": event_type,
        "X-Webhook-Timestamp": str(timestamp),
        "X-Webhook-Signature": sign(secret, timestamp, body),
    }
