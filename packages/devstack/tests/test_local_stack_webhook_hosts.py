"""`make run` lets webhooks reach its demo receiver on 127.0.0.1, and nothing else internal."""

from pathlib import Path

import pytest

from devstack.local_stack import run_environment

GIVEN = {"DATABASE_URL": "postgresql://db/x", "REDIS_URL": "redis://r/0", "API_KEYS": "k:admin"}


def test_loopback_is_allowed_for_the_demo_receiver(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in GIVEN.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WEBHOOK_ALLOWED_HOSTS", raising=False)
    env, _ = run_environment(tmp_path)
    assert env["WEBHOOK_ALLOWED_HOSTS"] == "127.0.0.1"


def test_an_operators_own_list_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {**GIVEN, "WEBHOOK_ALLOWED_HOSTS": "10.0.0.0/8"}.items():
        monkeypatch.setenv(name, value)
    env, _ = run_environment(tmp_path)
    assert env["WEBHOOK_ALLOWED_HOSTS"] == "10.0.0.0/8"
