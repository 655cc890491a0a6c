"""Log fields that name a failure without repeating its message.

An exception raised while a client's packet is handled may carry what the client sent in
its message (a key, in a CONNECT packet). These fields say what failed and where — the
exception's type and the innermost frame of its traceback — and never the message or any
value, so they are safe to log for any packet.
"""

import traceback
from typing import Any


def failure_fields(exc: BaseException) -> dict[str, Any]:
    """`{"error_type": …, "where": "file.py:123 in function"}` for `exc`."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name}" if frames else None
    return {"error_type": type(exc).__name__, "where": where}
