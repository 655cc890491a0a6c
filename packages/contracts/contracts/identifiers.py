"""Bounded identifier types: every id and string that crosses the API has a limit.

No id or text may hold a control character (C0, DEL, C1) or a lone surrogate: PostgreSQL
cannot store a NUL at all, a lone surrogate cannot be encoded as UTF-8, and the others
have no business in an id or a name (they break logs, CSV and terminals).
"""

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

# C0, DEL and C1, as regex escapes: one spelling for the check below and for the patterns
# the JSON Schema publishes (which cannot name lone surrogates).
_CONTROL_RANGES = r"\x00-\x1f\x7f-\x9f"
# The characters no id or text of this API may contain (see the module docstring).
FORBIDDEN_CHARACTERS = re.compile(rf"[{_CONTROL_RANGES}\ud800-\udfff]")


def printable(value: str) -> str:
    """`value` unchanged, or ValueError when it holds a control character or lone surrogate."""
    if FORBIDDEN_CHARACTERS.search(value):
        raise ValueError("must not contain control characters")
    return value


CallId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
]
QueueId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
]
AgentId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")
]
EventId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=rf"^[^{_CONTROL_RANGES}]+$"),
    AfterValidator(printable),
]
"""Any printable text of 1-128 characters: producers use their own id schemes."""

# Durations are seconds; a week is far beyond any real call and keeps sums bounded.
MAX_SECONDS = 7 * 24 * 3600
Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]
