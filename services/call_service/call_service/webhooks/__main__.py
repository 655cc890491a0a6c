"""`python -m call_service.webhooks`: deliver integration events to webhooks until a signal."""

import asyncio
import sys

from call_service.settings import load_settings
from call_service.webhooks.worker import run_worker
from call_service.webhooks.worker_settings import load_worker_settings
from call_service.worker_process import run_worker_process


async def _main(stop: asyncio.Event) -> None:
    settings = load_settings(need_keys=False, need_redis=False)
    await run_worker(settings.database_url, load_worker_settings(), stop)


def main() -> int:
    return run_worker_process("webhooks", "WEBHOOKS_METRICS_PORT", _main)


if __name__ == "__main__":
    sys.exit(main())
