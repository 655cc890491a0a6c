"""The process shell every worker shares (`python -m call_service.relay|timers|webhooks`).

Each worker logs JSON lines under its own name, may serve its Prometheus
counters on loopback, stops cleanly on SIGINT/SIGTERM (the loops see the stop
event and finish their current step), and exits 2 with a one-line message on
stderr when its configuration is wrong, so a supervisor shows why instead of a
traceback.
"""

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable

from prometheus_client import start_http_server

from call_service.settings import SettingsError
from service_kit.logs import configure_logging
from service_kit.runtime import prepare_runtime

WorkerMain = Callable[[asyncio.Event], Awaitable[None]]


def run_worker_process(name: str, metrics_port_env: str | None, main: WorkerMain) -> int:
    """Run `main(stop)` until it returns; the exit code for `sys.exit`."""
    configure_logging(name)
    prepare_runtime()
    metrics_port = os.environ.get(metrics_port_env) if metrics_port_env else None
    if metrics_port:
        start_http_server(int(metrics_port), addr="127.0.0.1")
    try:
        asyncio.run(_until_signalled(main))
    except SettingsError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    return 0


async def _until_signalled(main: WorkerMain) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await main(stop)
