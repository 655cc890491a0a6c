"""`python -m call_service.migrate`: apply the database migrations (idempotent)."""

import asyncio
import sys

import structlog

from call_service.migrate import apply_migrations
from call_service.settings import SettingsError, load_settings
from service_kit.logs import configure_logging


def main() -> int:
    configure_logging("migrate")
    try:
        settings = load_settings(need_keys=False, need_redis=False)
    except SettingsError as exc:
        print(f"migrate: {exc}", file=sys.stderr)
        return 2
    applied = asyncio.run(apply_migrations(settings.database_url, settings.default_thresholds))
    structlog.get_logger("migrate").info("migrations_done", applied=applied)
    return 0


if __name__ == "__main__":
    sys.exit(main())
