"""The per-key rate limit of the event endpoints: 429 with Retry-After when over it."""

from aiohttp import web

from call_service.api.app_keys import RATE_LIMITER
from call_service.api.problems import ProblemError


async def enforce_rate_limit(request: web.Request, key_label: str, cost: int = 1) -> None:
    """A batch of N events costs N tokens: the limit is on events, not requests."""
    decision = await request.app[RATE_LIMITER].check(key_label, cost)
    if not decision.allowed:
        raise ProblemError(
            429,
            "Too many requests",
            "This API key is over its event rate limit; retry after the delay.",
            headers={"Retry-After": str(decision.retry_after_s)},
        )
