"""The webhook worker's settings from its environment: defaults, overrides, refusals."""

import pytest

from call_service.settings import SettingsError
from call_service.webhooks.worker_settings import WebhookWorkerSettings, load_worker_settings


def test_defaults_are_three_attempts_with_a_few_seconds_of_backoff() -> None:
    policy = load_worker_settings({})
    assert policy == WebhookWorkerSettings()
    assert policy.attempts == 3
    assert policy.backoff_s + 2 * policy.backoff_s < 5


def test_variables_override_the_defaults() -> None:
    policy = load_worker_settings(
        {"WEBHOOK_ATTEMPTS": "5", "WEBHOOK_BACKOFF_S": "0.05", "WEBHOOK_TIMEOUT_S": "1.5"}
    )
    assert (policy.attempts, policy.backoff_s, policy.timeout_s) == (5, 0.05, 1.5)


@pytest.mark.parametrize(
    ("name", "value"),
    [("WEBHOOK_ATTEMPTS", "0"), ("WEBHOOK_ATTEMPTS", "2.5"), ("WEBHOOK_TIMEOUT_S", "-1")],
)
def test_nonsense_values_are_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_worker_settings({name: value})


def test_a_claim_outlasts_every_attempt_timing_out_plus_every_backoff() -> None:
    policy = WebhookWorkerSettings(attempts=3, backoff_s=1, max_backoff_s=10, timeout_s=5)
    assert policy.lease_s > 3 * 5 + 1 + 2
