"""Queue thresholds kept in memory for a short time: a lookup per event was a round trip.

Thresholds change rarely (PATCH /api/queues/{id}) and every event needs its
queue's. The process that applies a PATCH forgets its entry at once; other
processes (api workers, the timer worker) see the change within `ttl_s`
(QUEUE_CACHE_TTL_S, 1 s by default; 0 turns the cache off). Unknown queues are
never cached, so a queue created a moment ago is found at once.
"""

import time
from collections.abc import Callable

from call_service.domain.call import Thresholds

DEFAULT_TTL_S = 1.0


class ThresholdsCache:
    def __init__(self, ttl_s: float = DEFAULT_TTL_S, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl_s
        self._clock = clock
        self._entries: dict[str, tuple[float, Thresholds]] = {}

    def get(self, queue_id: str) -> Thresholds | None:
        entry = self._entries.get(queue_id)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def put(self, queue_id: str, thresholds: Thresholds) -> None:
        if self._ttl > 0:
            self._entries[queue_id] = (self._clock() + self._ttl, thresholds)

    def forget(self, queue_id: str) -> None:
        self._entries.pop(queue_id, None)
