"""`python -m call_service.api`: serve the REST API."""

import sys

import structlog
from aiohttp import web

from call_service.api.app import create_app
from call_service.settings import SettingsError, load_settings
from service_kit.api_keys import ApiKeyConfigError
from service_kit.logs import configure_logging


def main() -> int:
    configure_logging("api")
    log = structlog.get_logger("api")
    try:
        settings = load_settings()
        app = create_app(settings)
    except (SettingsError, ApiKeyConfigError) as exc:
        print(f"call service: {exc}", file=sys.stderr)
        return 2
    log.info("api_starting", host=settings.host, port=settings.port)
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
