"""One relay message → at most one emit: parse, drop repeats, fan out, hold for resumes.

The relay delivers at least once and in `seq` order per call (`domain.dedupe` drops the
repeats); one emit names every room of the message (`domain.fanout`), and python-socketio
sends it once to a socket in several of them. Sockets resuming the call are skipped and the
message held for them (`domain.resume_seam`). A bad message is logged and skipped, a failed
emit logged: nothing raises, so the subscription loop (`adapters.redis_subscriber`) goes on.
"""

from typing import Any

import structlog
from pydantic import TypeAdapter, ValidationError

from contracts.realtime import AlertEnvelope, CallEventEnvelope, RelayEnvelope
from realtime_service.domain.dedupe import Decision, Deduplicator, Verdict
from realtime_service.domain.fanout import Emission, fan_out
from realtime_service.domain.resume_seam import ResumeRegistry
from realtime_service.service.ports import Broadcaster, RelayCounters
from service_kit.logs import bound_contextvars

_log = structlog.get_logger(__name__)
_ENVELOPE: TypeAdapter[CallEventEnvelope | AlertEnvelope] = TypeAdapter(RelayEnvelope)


class RelayDelivery:
    def __init__(
        self,
        sio: Broadcaster,
        metrics: RelayCounters,
        dedupe: Deduplicator | None = None,
        resumes: ResumeRegistry | None = None,
    ) -> None:
        self._sio = sio
        self._metrics = metrics
        self._dedupe = dedupe or Deduplicator()
        self._resumes = resumes if resumes is not None else ResumeRegistry()

    async def deliver(self, raw: bytes | str) -> None:
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
