"""Redis pub/sub → Socket.io: the loop that turns relay envelopes into emits.

Every realtime process subscribes to the relay's channel itself and emits only
to its own sockets. A Socket.io Redis manager is deliberately not used: with one
each event would be delivered once per process. The loop never dies: a bad
message is logged and skipped, a lost connection is retried with backoff.
"""

import asyncio
import random
from typing import Any

import structlog
from pydantic import TypeAdapter, ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from contracts.realtime import AlertEnvelope, CallEventEnvelope, RelayEnvelope
from realtime_service.dedupe import Decision, Deduplicator, Verdict
from realtime_service.fanout import Emission, fan_out
from realtime_service.metrics import RealtimeMetrics
from realtime_service.resume import ResumeRegistry
from service_kit.logs import bound_contextvars

_log = structlog.get_logger(__name__)
_ENVELOPE: TypeAdapter[CallEventEnvelope | AlertEnvelope] = TypeAdapter(RelayEnvelope)
POLL_SECONDS = 1.0
"""How long one read waits; between reads the client sends its health-check PING."""


class RelaySubscriber:
    def __init__(
        self,
        redis: Redis,
        channel: str,
        sio: Any,
        metrics: RealtimeMetrics,
        dedupe: Deduplicator | None = None,
        resumes: ResumeRegistry | None = None,
        backoff_initial: float = 0.1,
        backoff_max: float = 5.0,
    ) -> None:
        self._redis = redis
        self._channel = channel
        self._sio = sio
        self._metrics = metrics
        self._dedupe = dedupe or Deduplicator()
        self._resumes = resumes if resumes is not None else ResumeRegistry()
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._connected = False

    @property
    def connected(self) -> bool:
        """True while subscribed to the channel; `/ready` reports it."""
        return self._connected

    async def run(self) -> None:
        """Subscribe and relay until cancelled, re-subscribing with backoff forever."""
        delay = self._backoff_initial
        try:
            while True:
                try:
                    await self._listen()
                except (RedisError, OSError) as exc:
                    delay, pause = self._next_pause(delay)
                    _log.warning(
                        "redis_subscription_failed",
                        error_type=type(exc).__name__,
                        error=str(exc),
                        retry_in_s=pause,
                    )
                except Exception:  # noqa: BLE001 - the loop must outlive a bug; logged in full
                    delay, pause = self._next_pause(delay)
                    _log.exception("relay_subscriber_failed", retry_in_s=pause)
                else:
                    delay, pause = self._next_pause(delay)
                await asyncio.sleep(pause)
                delay = min(delay * 2, self._backoff_max)
                self._metrics.redis_reconnects.inc()
        finally:
            self._set_connected(False)

    def _next_pause(self, delay: float) -> tuple[float, float]:
        """The backoff step after a failure (reset if we were subscribed) and a jittered pause."""
        if self._connected:
            self._set_connected(False)
            delay = self._backoff_initial
        return delay, round(delay * random.uniform(0.5, 1.0), 3)  # noqa: S311 - jitter only

    async def handle(self, raw: bytes | str) -> None:
        """Parse, dedupe and emit one message from the channel; never raises."""
        try:
            envelope = _ENVELOPE.validate_json(raw)
        except ValidationError as exc:
            self._metrics.invalid_messages.inc()
            errors = exc.errors(include_url=False, include_input=False, include_context=False)
            _log.warning("relay_message_invalid", errors=errors[:5], size=len(raw))
            return
        with bound_contextvars(correlation_id=envelope.correlation_id):
            decision = self._decide(envelope)
            if not decision.emit:
                self._metrics.dropped_duplicates.labels(kind=envelope.kind).inc()
                _log.info("relay_message_repeated", **_describe(envelope))
                return
            if decision.verdict is Verdict.GAP:
                self._metrics.sequence_gaps.inc()
                _log.warning(
                    "relay_sequence_gap", last_seq=decision.last_seq, **_describe(envelope)
                )
            emission = fan_out(envelope)
            # Sockets resuming this call get the message later, from the resume's release;
            # nothing may await between this and the emit choosing its recipients.
            skip = self._held_back(envelope, emission)
            try:
                await self._sio.emit(
                    emission.event, emission.payload, to=emission.rooms, skip_sid=skip or None
                )
            except Exception:  # noqa: BLE001 - one failed emit must not stop the relay; logged
                _log.exception("relay_emit_failed", **_describe(envelope))
                return
            self._metrics.emitted_messages.labels(event=emission.event).inc()
            _log.info("relay_message_emitted", rooms=emission.rooms, **_describe(envelope))

    async def _listen(self) -> None:
        async with self._redis.pubsub() as pubsub:
            await pubsub.subscribe(self._channel)
            while True:
                message = await pubsub.get_message(timeout=POLL_SECONDS)
                if message is None:
                    continue
                if message["type"] == "message":
                    await self.handle(message["data"])
                elif message["type"] == "subscribe":
                    # Ready only once Redis confirms: a publish from now on reaches us.
                    self._set_connected(True)
                    _log.info("redis_subscribed", channel=self._channel)

    def _decide(self, envelope: CallEventEnvelope | AlertEnvelope) -> Decision:
        if isinstance(envelope, AlertEnvelope):
            return self._dedupe.check_alert(envelope.message.id)
        event = envelope.message.event
        return self._dedupe.check_call_event(event.call_id, event.seq)

    def _held_back(
        self, envelope: CallEventEnvelope | AlertEnvelope, emission: Emission
    ) -> list[str]:
        if isinstance(envelope, AlertEnvelope):
            return []
        event = envelope.message.event
        return self._resumes.divert(event.call_id, event.seq, emission.payload, emission.rooms)

    def _set_connected(self, connected: bool) -> None:
        self._connected = connected
        self._metrics.redis_subscribed.set(1 if connected else 0)


def _describe(envelope: CallEventEnvelope | AlertEnvelope) -> dict[str, Any]:
    """Log fields naming a message (the correlation id is bound separately)."""
    if isinstance(envelope, AlertEnvelope):
        alert = envelope.message
        return {"alert_id": alert.id, "alert_kind": alert.kind, "call_id": alert.call_id}
    event = envelope.message.event
    return {
        "event_id": event.id,
        "call_id": event.call_id,
        "seq": event.seq,
        "event_type": str(event.type),
    }
