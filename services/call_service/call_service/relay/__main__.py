"""`python -m call_service.relay`: drain the outbox to Redis until SIGINT/SIGTERM."""

import asyncio
import os
import sys

from call_service.relay.drain import DrainPolicy
from call_service.relay.loop import run_relay
from call_service.settings import load_settings
from call_service.worker_process import run_worker_process


async def _main(stop: asyncio.Event) -> None:
    settings = load_settings(need_keys=False)
    policy = DrainPolicy(
        batch_size=settings.relay_batch_size,
        max_backoff_s=settings.relay_max_backoff_s,
        require_subscriber=os.environ.get("RELAY_REQUIRE_SUBSCRIBER", "true").lower() != "false",
    )
    await run_relay(settings, stop, policy)


def main() -> int:
    return run_worker_process("relay", "RELAY_METRICS_PORT", _main)


if __name__ == "__main__":
    sys.exit(main())
