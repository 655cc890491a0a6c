"""A WHERE clause assembled from optional filters, with every value bound as `$n`.

List endpoints take several optional filters, so their SQL is put together per
request. Values never enter the SQL text: `bind` keeps the value in `args` and
returns its placeholder, so the text holds only constant fragments and `$n`.
"""

from typing import Any


class BoundFilters:
    """Conditions joined with AND, and the arguments their placeholders refer to."""

    def __init__(self) -> None:
        self.args: list[Any] = []
        self._conditions: list[str] = []

    def bind(self, value: Any) -> str:
        """The placeholder for `value` (also usable outside WHERE: LIMIT, ORDER BY)."""
        self.args.append(value)
        return f"${len(self.args)}"

    def add(self, condition: str) -> None:
        """A constant SQL condition whose values come from `bind`."""
        self._conditions.append(condition)

    def where_clause(self) -> str:
        """`WHERE a AND b`, or "" when no filter applies."""
        return f"WHERE {' AND '.join(self._conditions)}" if self._conditions else ""
