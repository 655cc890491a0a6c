"""`python -m call_service.timers`: placeholder worker until the business-rules issue.

It validates its configuration and idles until SIGINT/SIGTERM, so supervisors
and docker-compose can already run it alongside the other processes.
"""

import asyncio
import signal
import sys

import structlog

from call_service.settings import SettingsError, load_settings
from service_kit.logs import configure_logging


async def _idle() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    structlog.get_logger("timers").info("timers_idle", reason="durable timers not built yet")
    await stop.wait()


def main() -> int:
    configure_logging("timers")
    try:
        load_settings(need_keys=False)
    except SettingsError as exc:
        print(f"timers: {exc}", file=sys.stderr)
        return 2
    asyncio.run(_idle())
    return 0


if __name__ == "__main__":
    sys.exit(main())
