"""The dispatcher's use case on in-memory ports: one delivery per subscriber, sender woken."""

import uuid

from call_service.service.dispatch_integration_events import dispatch_integration_events

from .fakes_webhooks import CountingWakeup, FakeFanOut


async def test_each_subscribed_webhook_gets_a_delivery_and_the_sender_is_woken() -> None:
    crm, wfm = uuid.uuid4(), uuid.uuid4()
    fan_out = FakeFanOut({"call_ended": [crm, wfm], "survey_requested": [crm]})
    fan_out.waiting = [("call_ended", {"id": "1"}), ("survey_requested", {"id": "2"})]
    sender = CountingWakeup()
    result = await dispatch_integration_events(fan_out, sender, batch_size=200)
    assert (result.rows, result.deliveries) == (2, 3)
    assert fan_out.deliveries == [(crm, {"id": "1"}), (wfm, {"id": "1"}), (crm, {"id": "2"})]
    assert sender.pokes == 1


async def test_events_nobody_subscribes_to_are_dispatched_without_waking_the_sender() -> None:
    fan_out = FakeFanOut({})
    fan_out.waiting = [("call_ended", {"id": "1"})]
    sender = CountingWakeup()
    result = await dispatch_integration_events(fan_out, sender, batch_size=200)
    assert (result.rows, result.deliveries) == (1, 0)
    assert fan_out.waiting == []
    assert sender.pokes == 0


async def test_a_dispatch_takes_at_most_the_batch_size() -> None:
    fan_out = FakeFanOut({"call_ended": [uuid.uuid4()]})
    fan_out.waiting = [("call_ended", {"id": str(n)}) for n in range(5)]
    result = await dispatch_integration_events(fan_out, CountingWakeup(), batch_size=2)
    assert result.rows == 2
    assert len(fan_out.waiting) == 3
