"""`python -m call_service.relay`: drain the outbox to Redis until SIGINT/SIGTERM."""

import asyncio
import os
import signal
import sys

from prometheus_client import start_http_server

from call_service.relay.drain import DrainPolicy
from call_service.relay.loop import run_relay
from call_service.settings import SettingsError, load_settings
from service_kit.logs import configure_logging


async def _main() -> None:
    settings = load_settings(need_keys=False)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    policy = DrainPolicy(
        batch_size=settings.relay_batch_size,
        max_backoff_s=settings.relay_max_backoff_s,
        require_subscriber=os.environ.get("RELAY_REQUIRE_SUBSCRIBER", "true").lower() != "false",
    )
    await run_relay(settings, stop, policy)


def main() -> int:
    configure_logging("relay")
    metrics_port = os.environ.get("RELAY_METRICS_PORT")
    if metrics_port:
        start_http_server(int(metrics_port), addr="127.0.0.1")
    try:
        asyncio.run(_main())
    except SettingsError as exc:
        print(f"relay: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
