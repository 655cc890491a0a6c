"""The sender's `AttemptReport`: one log line per attempt, `webhook_attempts_total`."""

import structlog
from prometheus_client import Counter

from call_service.service.webhook_ports import AttemptOutcome, AttemptStatus, ClaimedDelivery

_log = structlog.get_logger(__name__)
ATTEMPTS = Counter("webhook_attempts_total", "Webhook HTTP attempts.", ["outcome"])


class AttemptLog:
    def transport_failed(self, delivery: ClaimedDelivery, detail: str) -> None:
        _log.info("webhook_transport_error", delivery_id=str(delivery.id), error=detail)

    def recorded(
        self,
        delivery: ClaimedDelivery,
        number: int,
        outcome: AttemptOutcome,
        status: AttemptStatus,
    ) -> None:
        ok = outcome.error is None
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
