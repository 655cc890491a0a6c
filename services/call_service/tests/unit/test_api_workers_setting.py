"""API_WORKERS: 1 by default, N as given, 0 = one per core but at most four."""

import os

from call_service.settings import MAX_AUTO_API_WORKERS, load_settings

BASE = {"DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://x", "API_KEYS": "k:admin"}


def test_one_worker_unless_asked() -> None:
    assert load_settings(BASE).api_workers == 1
    assert load_settings({**BASE, "API_WORKERS": "3"}).api_workers == 3


def test_zero_means_one_per_core_capped() -> None:
    auto = load_settings({**BASE, "API_WORKERS": "0"}).api_workers
    assert auto == min(os.cpu_count() or 1, MAX_AUTO_API_WORKERS)
