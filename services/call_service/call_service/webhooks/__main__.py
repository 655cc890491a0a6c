"""`python -m call_service.webhooks`: deliver integration events to webhooks until a signal."""

import asyncio
import os
import signal
import sys

from prometheus_client import start_http_server

from call_service.settings import SettingsError, load_settings
from call_service.webhooks.policy import load_policy
from call_service.webhooks.worker import run_worker
from service_kit.logs import configure_logging


async def _main() -> None:
    settings = load_settings(need_keys=False, need_redis=False)
    policy = load_policy()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_worker(settings.database_url, policy, stop)


def main() -> int:
    configure_logging("webhooks")
    metrics_port = os.environ.get("WEBHOOKS_METRICS_PORT")
    if metrics_port:
        start_http_server(int(metrics_port), addr="127.0.0.1")
    try:
        asyncio.run(_main())
    except SettingsError as exc:
        print(f"webhooks: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
