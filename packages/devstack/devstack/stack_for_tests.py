"""The platform as the end-to-end, fault and browser suites run it: api, relay, timers and
realtime (the webhooks worker is left out: tests/e2e/test_webhooks.py runs its own) on free
ports, against the test's own migrated database and Redis channel, with fixed keys and a
relay that polls quickly.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from devstack.launcher import Stack, StackConfig, start_stack

PRODUCER, READER = "e2e-producer", "e2e-reader"
API_KEYS = f"{PRODUCER}:events:write,{READER}:calls:read"
SERVICES = ("api", "relay", "timers", "realtime")
QUICK_RELAY = {"RELAY_POLL_INTERVAL_S": "0.2", "RELAY_MAX_BACKOFF_S": "0.5"}


def suite_config(
    database_url: str,
    redis_url: str,
    channel: str,
    *,
    extra_env: Mapping[str, str] | None = None,
    dashboard: Path | None = None,
    dashboard_port: int | None = None,
) -> StackConfig:
    """`extra_env` is laid over the processes' environment (e.g. `CORS_ORIGINS`, or
    `API_KEYS` with more keys); `dashboard` serves that built frontend/ too."""
    return StackConfig(
        name="tests",
        services=SERVICES,
        env={"REDIS_CHANNEL": channel, "API_KEYS": API_KEYS, **QUICK_RELAY, **(extra_env or {})},
        ports={"dashboard": dashboard_port} if dashboard_port is not None else {},
        database_url=database_url,
        migrate=False,  # the fixtures hand out migrated databases
        redis_url=redis_url,
        dashboard=dashboard,
    )


@contextmanager
def running_stack(
    database_url: str, redis_url: str, channel: str, *, extra_env: Mapping[str, str] | None = None
) -> Iterator[Stack]:
    """The suites' stack, started and healthy; stopped on exit."""
    with start_stack(suite_config(database_url, redis_url, channel, extra_env=extra_env)) as stack:
        yield stack
