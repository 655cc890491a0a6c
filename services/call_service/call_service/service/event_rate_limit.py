"""The per-key event rate limit, as a Protocol the API's limiter (Redis) implements."""

from typing import Protocol


class RateDecision(Protocol):
    @property
    def allowed(self) -> bool: ...

    @property
    def retry_after_s(self) -> int:
        """When refused: whole seconds to wait before the tokens are there."""


class RateLimiter(Protocol):
    async def check(self, key_label: str, cost: int = 1) -> RateDecision:
        """Take `cost` tokens of the key's bucket (a batch of N events costs N).

        A limiter whose store fails lets the request through: losing events is
        worse than a burst.
        """
