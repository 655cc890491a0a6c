"""RelayDelivery.deliver: one emit per message, logged with its correlation id."""

from typing import Any

import pytest

from realtime_service.adapters.metrics import RealtimeMetrics
from realtime_service.domain.resume_seam import ResumeRegistry
from realtime_service.service.relay_delivery import RelayDelivery


class RecordingServer:
    """Records emits; stands in for the Socket.io server, not for Redis."""

    def __init__(self, fail: bool = False) -> None:
        self.emits: list[tuple[str, dict[str, Any], list[str]]] = []
        self.skipped: list[list[str] | None] = []
        self.fail = fail

    async def emit(
        self, event: str, data: dict[str, Any], to: list[str], skip_sid: list[str] | None = None
    ) -> None:
        if self.fail:
            raise RuntimeError("socket layer broke")
        self.emits.append((event, data, to))
        self.skipped.append(skip_sid)


@pytest.fixture
def metrics() -> RealtimeMetrics:
    return RealtimeMetrics()


def _delivery(sio, metrics) -> RelayDelivery:
    return RelayDelivery(sio, metrics)


async def test_one_message_is_one_emit_to_every_room(metrics, make_call_event):
    sio = RecordingServer()
    envelope = make_call_event(call_id="c-1", seq=1, queue_id="q-1")

    await _delivery(sio, metrics).deliver(envelope.model_dump_json().encode())

    assert sio.emits == [
        ("call_event", envelope.message.model_dump(mode="json"), ["call:c-1", "calls", "queue:q-1"])
    ]
    assert metrics.emitted_messages.labels(event="call_event")._value.get() == 1


async def test_emit_is_logged_with_event_call_seq_rooms_and_correlation_id(
    metrics, make_call_event, capsys
):
    envelope = make_call_event(call_id="c-1", seq=4, correlation_id="corr-xyz")

    await _delivery(RecordingServer(), metrics).deliver(envelope.model_dump_json())

    line = next(x for x in capsys.readouterr().out.splitlines() if "relay_message_emitted" in x)
    for expected in ("correlation_id=corr-xyz", "call_id=c-1", "seq=4", envelope.message.event.id):
        assert expected in line
    assert "call:c-1" in line


async def test_failed_emit_is_logged_and_does_not_raise(metrics, make_call_event, capsys):
    delivery = _delivery(RecordingServer(fail=True), metrics)

    await delivery.deliver(make_call_event().model_dump_json())

    assert "relay_emit_failed" in capsys.readouterr().out
    assert metrics.emitted_messages.labels(event="call_event")._value.get() == 0


async def test_invalid_message_is_counted_and_skipped(metrics, capsys):
    sio = RecordingServer()

    await _delivery(sio, metrics).deliver(b'{"kind": "call_event", "message": {}}')

    assert sio.emits == []
    assert metrics.invalid_messages._value.get() == 1
    assert "relay_message_invalid" in capsys.readouterr().out


async def test_sockets_resuming_the_call_are_skipped_and_get_it_held(metrics, make_call_event):
    sio, resumes = RecordingServer(), ResumeRegistry()
    resumes.begin("sid-a", "c-1")
    delivery = RelayDelivery(sio, metrics, resumes=resumes)
    envelope = make_call_event(call_id="c-1", seq=3, queue_id="q-1")
    other = make_call_event(call_id="c-2", seq=1, queue_id="q-1")

    await delivery.deliver(envelope.model_dump_json())
    await delivery.deliver(other.model_dump_json())

    assert sio.skipped == [["sid-a"], None]
    [held] = resumes.release("sid-a", "c-1", after_seq=2)
    assert (held.seq, held.payload, held.rooms) == (
        3,
        envelope.message.model_dump(mode="json"),
        ("call:c-1", "calls", "queue:q-1"),
    )
