"""Drops repeated relay messages so a client sees each event once.

The relay delivers at least once and in `seq` order per call; after a relay
crash, or with two relays running, the same envelope can arrive twice. Memory is
bounded: the least recently seen calls and alerts are forgotten first.
"""

from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum

DEFAULT_MAX_CALLS = 100_000
DEFAULT_MAX_ALERTS = 10_000


class Verdict(Enum):
    EMIT = "emit"
    GAP = "gap"
    """Emit, but one or more earlier events of the call never arrived here."""
    REPEAT = "repeat"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    last_seq: int | None = None
    """The last emitted seq of the call before this message, if remembered."""

    @property
    def emit(self) -> bool:
        return self.verdict is not Verdict.REPEAT


class Deduplicator:
    def __init__(
        self, max_calls: int = DEFAULT_MAX_CALLS, max_alerts: int = DEFAULT_MAX_ALERTS
    ) -> None:
        if max_calls < 1 or max_alerts < 1:
            raise ValueError("dedupe bounds must be positive")
        self._max_calls = max_calls
        self._max_alerts = max_alerts
        self._last_seq: OrderedDict[str, int] = OrderedDict()
        self._alerts: OrderedDict[str, None] = OrderedDict()

    def check_call_event(self, call_id: str, seq: int) -> Decision:
        """Decide on one call event and, unless it is a repeat, remember its seq.

        Since delivery is in seq order per call, seq <= last emitted is a
        redelivery. A call forgotten by the LRU starts afresh (no gap warning).
        """
        last = self._last_seq.get(call_id)
        if last is not None:
            self._last_seq.move_to_end(call_id)
            if seq <= last:
                return Decision(Verdict.REPEAT, last)
        self._last_seq[call_id] = seq
        if len(self._last_seq) > self._max_calls:
            self._last_seq.popitem(last=False)
        if last is not None and seq > last + 1:
            return Decision(Verdict.GAP, last)
        return Decision(Verdict.EMIT, last)

    def check_alert(self, alert_id: str) -> Decision:
        if alert_id in self._alerts:
            self._alerts.move_to_end(alert_id)
            return Decision(Verdict.REPEAT)
        self._alerts[alert_id] = None
        if len(self._alerts) > self._max_alerts:
            self._alerts.popitem(last=False)
        return Decision(Verdict.EMIT)
