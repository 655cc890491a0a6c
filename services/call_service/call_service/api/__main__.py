"""`python -m call_service.api`: serve the REST API (API_WORKERS processes, see workers.py)."""

import sys

import structlog
from aiohttp import web

from call_service.api.app import create_app
from call_service.api.workers import is_worker, supervise
from call_service.settings import SettingsError, load_settings
from service_kit.api_keys import ApiKeyConfigError
from service_kit.logs import configure_logging
from service_kit.runtime import prepare_runtime


def main() -> int:
    configure_logging("api")
    loop_name = prepare_runtime()
    log = structlog.get_logger("api")
    try:
        settings = load_settings()
        app = create_app(settings)
    except (SettingsError, ApiKeyConfigError) as exc:
        print(f"call service: {exc}", file=sys.stderr)
        return 2
    if settings.api_workers > 1 and not is_worker():
        return supervise(settings.api_workers)
    log.info("api_starting", host=settings.host, port=settings.port, loop=loop_name)
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        print=None,
        access_log=None,
        reuse_port=is_worker() or None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
