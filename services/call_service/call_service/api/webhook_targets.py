"""Where a webhook may point: the registration-time check of its URL (422 naming `url`).

The URL's host must resolve to public addresses only, or to ones WEBHOOK_ALLOWED_HOSTS
lists; a name that does not resolve (or not within 5 s) is refused as well, since
nothing could be delivered to it and its later answer could be anything. Lookups go
through `WEBHOOK_HOST_RESOLVER` when the app carries one, else the system resolver.
The worker checks again before every delivery (call_service.webhooks.target_check).
"""

import functools

import structlog
from aiohttp import web

from call_service.api.problems import ProblemError
from call_service.api.state import SETTINGS
from call_service.settings import SettingsError
from call_service.webhooks.policy import allowed_targets
from call_service.webhooks.target_check import (
    REFUSED,
    HostResolver,
    HostUnresolved,
    SystemResolver,
    TargetCheck,
    TargetRefused,
)
from call_service.webhooks.target_policy import AllowedTargets
from contracts.problems import FieldError

WEBHOOK_HOST_RESOLVER: web.AppKey[HostResolver] = web.AppKey("webhook_host_resolver")
NOT_PUBLIC = (
    "must resolve to public addresses only: loopback, private, link-local and other"
    " internal addresses are refused unless WEBHOOK_ALLOWED_HOSTS lists them"
)
_log = structlog.get_logger(__name__)


async def check_target(request: web.Request, url: str) -> None:
    """422 naming `url` unless every address of its host may be reached (no write before)."""
    check = TargetCheck(_allowed(request), request.app.get(WEBHOOK_HOST_RESOLVER, SystemResolver()))
    try:
        await check.check_url(url)
    except HostUnresolved as exc:
        raise _bad_url("host does not resolve") from exc
    except TargetRefused as exc:
        raise _bad_url(NOT_PUBLIC if exc.reason == REFUSED else exc.reason) from exc


def _bad_url(msg: str) -> ProblemError:
    errors = [FieldError(loc=["url"], msg=msg)]
    return ProblemError(422, "Validation failed", "The webhook is not valid.", errors)


def _allowed(request: web.Request) -> AllowedTargets:
    entries = request.app[SETTINGS].webhook_allowed_hosts
    try:
        return _parsed_allowed_targets(entries)
    except SettingsError as exc:
        _log.error("webhook_allowed_hosts_invalid", error=str(exc))
        raise ProblemError(
            503,
            "Service unavailable",
            "Webhook registration is unavailable: the server's WEBHOOK_ALLOWED_HOSTS is invalid.",
            headers={"Retry-After": "60"},
        ) from exc


@functools.lru_cache(maxsize=8)
def _parsed_allowed_targets(entries: tuple[str, ...]) -> AllowedTargets:
    return allowed_targets(entries)
