"""The target check of webhook registrations: the URL's host must be reachable, and allowed.

The URL's host must resolve to public addresses only, or to ones WEBHOOK_ALLOWED_HOSTS
lists (Settings.webhook_targets); a name that does not resolve (or not within 5 s) is
refused as well, since nothing could be delivered to it and its later answer could be
anything. The worker checks again before every delivery (service/target_check.py).
"""

from aiohttp import web

from call_service.api.app_keys import SETTINGS, WEBHOOK_HOST_RESOLVER
from call_service.api.field_errors import validation_failed
from call_service.api.problems import ProblemError
from call_service.service.target_check import REFUSED, HostUnresolved, TargetCheck, TargetRefused
from contracts.problems import FieldError

NOT_PUBLIC = (
    "must resolve to public addresses only: loopback, private, link-local and other"
    " internal addresses are refused unless WEBHOOK_ALLOWED_HOSTS lists them"
)


async def check_target(request: web.Request, url: str) -> None:
    """422 naming `url` unless every address of its host may be reached (no write before)."""
    check = TargetCheck(request.app[SETTINGS].webhook_targets, request.app[WEBHOOK_HOST_RESOLVER])
    try:
        await check.check_url(url)
    except HostUnresolved as exc:
        raise _bad_url("host does not resolve") from exc
    except TargetRefused as exc:
        raise _bad_url(NOT_PUBLIC if exc.reason == REFUSED else exc.reason) from exc


def _bad_url(msg: str) -> ProblemError:
    return validation_failed("The webhook is not valid.", [FieldError(loc=["url"], msg=msg)])
