"""Keyset pages: a list read asks for one row more than the page to learn if another follows.

That extra row replaces a count query; the next page starts after the position
(time, id) of this page's last row. How a position travels to the client (an
opaque cursor) is the API's business.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")
Position = tuple[datetime, str]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_after: Position | None
    """Where the next page starts; None on the last page."""


def page_of(rows: Sequence[T], size: int, position: Callable[[T], Position]) -> Page[T]:
    """Split up to `size + 1` fetched rows into a page of `size` and the next position."""
    items = list(rows[:size])
    if len(rows) <= size or not items:
        return Page(items, None)
    return Page(items, position(items[-1]))


async def read_page(
    fetch: Callable[[int], Awaitable[Sequence[T]]],
    size: int,
    position: Callable[[T], Position],
) -> Page[T]:
    """One page of `size` rows: `fetch(limit)` is called with `size + 1`."""
    return page_of(await fetch(size + 1), size, position)
