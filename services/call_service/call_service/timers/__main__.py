"""`python -m call_service.timers`: fire durable timers until SIGINT/SIGTERM."""

import asyncio
import signal
import sys

from call_service.adapters.system_clock import SystemClock
from call_service.settings import SettingsError, load_settings
from call_service.timers.loop import run_timers
from service_kit.logs import configure_logging


async def _main() -> None:
    settings = load_settings(need_keys=False, need_redis=False)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_timers(settings.database_url, SystemClock(), stop)


def main() -> int:
    configure_logging("timers")
    try:
        asyncio.run(_main())
    except SettingsError as exc:
        print(f"timers: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
