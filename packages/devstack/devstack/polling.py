"""Wait for a condition with a deadline: the tests' replacement for sleep-and-hope."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T]], deadline_s: float = 10.0, interval_s: float = 0.05
) -> T:
    """Call `check` until it returns a truthy value; raise TimeoutError after the deadline."""
    give_up = time.monotonic() + deadline_s
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() >= give_up:
            raise TimeoutError(f"condition not met within {deadline_s}s (last value {value!r})")
        await asyncio.sleep(interval_s)
