"""`python -m realtime_service`: run the realtime process until SIGINT or SIGTERM.

Configuration errors exit with status 2 and one line on stderr, no traceback.
aiohttp's `run_app` turns SIGINT/SIGTERM into a graceful shutdown: sockets are
closed, the subscriber is cancelled and the Redis client closed.
"""

import sys

import structlog
from aiohttp import web

from realtime_service.app import create_app
from realtime_service.settings import Settings, SettingsError
from service_kit.logs import configure_logging
from service_kit.runtime import prepare_runtime

SHUTDOWN_TIMEOUT_S = 5.0


def main() -> int:
    configure_logging("realtime")
    loop_name = prepare_runtime()
    log = structlog.get_logger("realtime_service")
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"realtime_service: {exc}", file=sys.stderr)
        return 2
    log.info("realtime_starting", host=settings.host, port=settings.port, loop=loop_name)
    try:
        web.run_app(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            print=None,
            shutdown_timeout=SHUTDOWN_TIMEOUT_S,
        )
    except OSError as exc:
        log.error("realtime_listen_failed", host=settings.host, port=settings.port, error=str(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
