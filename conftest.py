"""Loads the shared test fixtures (real PostgreSQL and Redis servers) for every test, and
marks each test with its tier, so `pytest -m unit` runs the fast ones in seconds.

Tiers: `unit` (no server, no process), `integration` (real PostgreSQL/Redis, the app in
process), `e2e` (the real processes), `browser` (Chromium), `faults` (processes and
servers killed), `bench` (the benchmark's smoke run). A test's tier comes from its folder;
in a folder of mixed tests, one that uses a server fixture is `integration`, and a module
may name its tier itself (`pytestmark = pytest.mark.integration`).
"""

from pathlib import Path

import pytest

pytest_plugins = ["devstack.pytest_plugin"]

TIERS = ("unit", "integration", "e2e", "browser", "faults", "bench")
_ROOT = Path(__file__).parent
_BY_FOLDER = {
    "tests/e2e": "e2e",
    "tests/browser": "browser",
    "tests/faults": "faults",
    "tests/bench": "bench",
    "tests/deployment": "integration",
    "services/call_service/tests/integration": "integration",
    "services/call_service/tests/fuzz": "integration",
    "services/call_service/tests/unit": "unit",
    "packages/devstack/tests": "integration",  # starts servers and processes
}
# Fixtures that start or reach a real server: a test using one is an integration test.
_SERVER_FIXTURES = {
    "pg_server_url",
    "database_url",
    "fresh_database_url",
    "redis_url",
    "private_redis",
    "aiohttp_client",
    "aiohttp_server",
    # the realtime service's own: a running app on a real Redis
    "redis",
    "start",
    "realtime",
    "connect",
}


def tier_of(item: pytest.Item) -> str:
    relative = Path(str(item.path)).resolve().relative_to(_ROOT.resolve()).as_posix()
    for folder, tier in _BY_FOLDER.items():
        if relative.startswith(folder + "/"):
            return tier
    uses = set(getattr(item, "fixturenames", ()))
    return "integration" if uses & _SERVER_FIXTURES else "unit"


def pytest_configure(config: pytest.Config) -> None:
    for tier in TIERS:
        config.addinivalue_line("markers", f"{tier}: the {tier} tier (set from the test's folder)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):  # a module may say
            item.add_marker(tier_of(item))
