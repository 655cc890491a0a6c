from collections.abc import Callable

from contracts.realtime import AlertEnvelope, AlertMessage, CallEventEnvelope, CallEventMessage
from realtime_service.domain.fanout import ALERT, CALL_EVENT, fan_out


def test_call_event_goes_to_its_call_calls_and_its_queue(
    make_call_event: Callable[..., CallEventEnvelope],
) -> None:
    emission = fan_out(make_call_event(call_id="c-7", queue_id="q-1"))

    assert emission.event == CALL_EVENT
    assert emission.rooms == ["call:c-7", "calls", "queue:q-1"]


def test_transfer_reaches_every_queue_listed_once_each(
    make_call_event: Callable[..., CallEventEnvelope],
) -> None:
    envelope = make_call_event(call_id="c-7", queue_id="q-new", queue_ids=["q-old", "q-new"])

    assert fan_out(envelope).rooms == ["call:c-7", "calls", "queue:q-old", "queue:q-new"]


def test_call_queue_is_a_room_even_when_queue_ids_is_empty(
    make_call_event: Callable[..., CallEventEnvelope],
) -> None:
    envelope = make_call_event(call_id="c-7", queue_id="q-1", queue_ids=[])
    envelope = envelope.model_copy(update={"queue_ids": []})

    assert fan_out(envelope).rooms == ["call:c-7", "calls", "queue:q-1"]


def test_call_without_queue_goes_to_call_and_calls_only(
    make_call_event: Callable[..., CallEventEnvelope],
) -> None:
    assert fan_out(make_call_event(call_id="c-7", queue_id=None)).rooms == ["call:c-7", "calls"]


def test_call_event_payload_is_the_contract_message_as_json(
    make_call_event: Callable[..., CallEventEnvelope],
) -> None:
    envelope = make_call_event(call_id="c-7", seq=2)

    payload = fan_out(envelope).payload

    assert set(payload) == {"event", "call"}
    assert isinstance(payload["event"]["timestamp"], str)
    assert CallEventMessage.model_validate(payload) == envelope.message


def test_alert_goes_to_alerts_only_with_the_alert_fields(
    make_alert: Callable[..., AlertEnvelope],
) -> None:
    envelope = make_alert(alert_id="al-1")

    emission = fan_out(envelope)

    assert emission.event == ALERT
    assert emission.rooms == ["alerts"]
    fields = {"id", "kind", "call_id", "queue_id", "agent_id", "at", "detail"}
    assert set(emission.payload) == fields
    assert AlertMessage.model_validate(emission.payload) == envelope.message
