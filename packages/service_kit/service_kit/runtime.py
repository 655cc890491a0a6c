"""Process start-up tuning shared by every service: uvloop and a calmer garbage collector.

- uvloop (libuv) is a faster event loop than asyncio's own; `ASYNCIO_LOOP=asyncio`
  keeps the standard loop (to compare, or to debug).
- Each request allocates many short-lived objects; with CPython's default
  thresholds the cyclic collector ran often enough to take ~9 % of the api's CPU
  in a profile (docs/performance.md). Objects alive at start-up (modules, models)
  are frozen out of its scans, and the youngest generation is collected less often.

Called once at the top of each `__main__`, before aiohttp or asyncio.run creates the loop.
"""

import asyncio
import gc
import os

import uvloop

GC_THRESHOLDS = (50_000, 20, 100)


def prepare_runtime() -> str:
    """Tune the process; the name of the event loop in use."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    if os.environ.get("ASYNCIO_LOOP", "uvloop") == "asyncio":
        return "asyncio"
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return "uvloop"
