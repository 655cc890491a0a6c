"""`python -m call_service.timers`: fire durable timers until SIGINT/SIGTERM."""

import asyncio
import sys

from call_service.adapters.system_clock import SystemClock
from call_service.settings import load_settings
from call_service.timers.worker import run_timers
from call_service.worker_process import run_worker_process


async def _main(stop: asyncio.Event) -> None:
    settings = load_settings(need_keys=False, need_redis=False)
    await run_timers(settings.database_url, SystemClock(), stop)


def main() -> int:
    return run_worker_process("timers", "TIMERS_METRICS_PORT", _main)


if __name__ == "__main__":
    sys.exit(main())
