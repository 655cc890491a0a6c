"""`python -m call_service.relay`: drain the outbox to Redis until SIGINT/SIGTERM."""

import asyncio
import sys

from call_service.relay.worker import run_relay
from call_service.service.publish_outbox import DrainPolicy
from call_service.settings import load_settings
from call_service.worker_process import run_worker_process


async def _main(stop: asyncio.Event) -> None:
    settings = load_settings(need_keys=False)
    policy = DrainPolicy(
        batch_size=settings.relay_batch_size,
        max_backoff_s=settings.relay_max_backoff_s,
        require_subscriber=settings.relay_require_subscriber,
    )
    await run_relay(settings, stop, policy)


def main() -> int:
    return run_worker_process("relay", "RELAY_METRICS_PORT", _main)


if __name__ == "__main__":
    sys.exit(main())
