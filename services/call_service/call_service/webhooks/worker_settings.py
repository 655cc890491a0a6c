"""The webhook worker's settings, read from its own environment variables.

Kept out of `call_service.settings` because only this process uses them:
WEBHOOK_ATTEMPTS (3), WEBHOOK_BACKOFF_S (0.5: waits 0.5 s, 1 s, … between
attempts), WEBHOOK_MAX_BACKOFF_S (4), WEBHOOK_TIMEOUT_S (5, per attempt),
WEBHOOK_CONCURRENCY (4 sends at once per webhook), WEBHOOK_MAX_IN_FLIGHT (100
in all), WEBHOOK_BATCH_SIZE (200), WEBHOOK_POLL_INTERVAL_S (1),
WEBHOOK_OUTBOX_RETENTION_S (3600: dispatched integration events kept that long),
WEBHOOK_SHUTDOWN_GRACE_S (5: how long a stopping worker lets sends finish),
WEBHOOK_ALLOWED_HOSTS (empty: hosts and CIDRs a delivery may reach although they
are not public; the api reads the same variable for registrations).
"""

import os
from dataclasses import dataclass, field

from call_service.domain.webhook_targets import AllowedTargets
from call_service.settings import allowed_targets
from service_kit.env_settings import comma_list, count, number


@dataclass(frozen=True)
class WebhookWorkerSettings:
    attempts: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 4.0
    timeout_s: float = 5.0
    concurrency_per_webhook: int = 4
    max_in_flight: int = 100
    batch_size: int = 200
    poll_interval_s: float = 1.0
    outbox_retention_s: float = 3600.0
    shutdown_grace_s: float = 5.0
    allowed_targets: AllowedTargets = field(default_factory=AllowedTargets)

    @property
    def lease_s(self) -> float:
        """How long a claim lasts: every attempt timing out plus every backoff, with margin."""
        waits = sum(
            min(self.backoff_s * 2.0**n, self.max_backoff_s) for n in range(self.attempts - 1)
        )
        return self.attempts * self.timeout_s + waits + 30.0


def load_worker_settings(env: dict[str, str] | None = None) -> WebhookWorkerSettings:
    env = dict(os.environ if env is None else env)
    base = WebhookWorkerSettings()
    return WebhookWorkerSettings(
        attempts=count(env, "WEBHOOK_ATTEMPTS", base.attempts),
        backoff_s=number(env, "WEBHOOK_BACKOFF_S", base.backoff_s),
        max_backoff_s=number(env, "WEBHOOK_MAX_BACKOFF_S", base.max_backoff_s),
        timeout_s=number(env, "WEBHOOK_TIMEOUT_S", base.timeout_s),
        concurrency_per_webhook=count(env, "WEBHOOK_CONCURRENCY", base.concurrency_per_webhook),
        max_in_flight=count(env, "WEBHOOK_MAX_IN_FLIGHT", base.max_in_flight),
        batch_size=count(env, "WEBHOOK_BATCH_SIZE", base.batch_size),
        poll_interval_s=number(env, "WEBHOOK_POLL_INTERVAL_S", base.poll_interval_s),
        outbox_retention_s=number(env, "WEBHOOK_OUTBOX_RETENTION_S", base.outbox_retention_s),
        shutdown_grace_s=number(env, "WEBHOOK_SHUTDOWN_GRACE_S", base.shutdown_grace_s),
        allowed_targets=allowed_targets(comma_list(env, "WEBHOOK_ALLOWED_HOSTS")),
    )
