"""The relay's use case on in-memory ports: publish in order, mark, keep what failed pending."""

import pytest

from call_service.service.publish_outbox import (
    NO_SUBSCRIBER,
    DrainPolicy,
    publish_outbox_batch,
)

from .fakes_relay import FakePublisher, FakeRelayOutbox

POLICY = DrainPolicy(batch_size=10, base_backoff_s=0.25, max_backoff_s=5.0)


def an_outbox(*keys: str) -> FakeRelayOutbox:
    outbox = FakeRelayOutbox()
    for number, key in enumerate(keys, start=1):
        outbox.add(key, f'{{"n":{number}}}', correlation_id=f"corr-{number}")
    return outbox


async def test_a_heard_batch_is_published_in_id_order_and_marked_published() -> None:
    outbox, publisher = an_outbox("call-a", "call-b", "call-a"), FakePublisher()
    result = await publish_outbox_batch(outbox, publisher, POLICY)
    assert publisher.sent == ['{"n":1}', '{"n":2}', '{"n":3}']
    assert (result.published, result.failed, result.error) == (3, 0, None)
    assert [r.correlation_id for r in result.published_rows] == ["corr-1", "corr-2", "corr-3"]
    assert outbox.published() == [1, 2, 3]


async def test_an_empty_outbox_publishes_nothing() -> None:
    outbox, publisher = FakeRelayOutbox(), FakePublisher()
    result = await publish_outbox_batch(outbox, publisher, POLICY)
    assert (result.published, result.failed) == (0, 0)
    assert publisher.sent == []


async def test_a_failed_publish_keeps_every_claimed_row_pending_with_the_reason() -> None:
    outbox, publisher = an_outbox("call-a", "call-b"), FakePublisher()
    publisher.fail_with = "NoPermissionError: refused"
    result = await publish_outbox_batch(outbox, publisher, POLICY)
    assert (result.published, result.failed) == (0, 2)
    assert result.error == "NoPermissionError: refused"
    assert outbox.pending() == [1, 2]
    assert [outbox.row(i).last_error for i in (1, 2)] == ["NoPermissionError: refused"] * 2
    assert [outbox.row(i).backoff_s for i in (1, 2)] == [0.25, 0.25]


async def test_a_row_failing_again_backs_off_longer_up_to_the_cap() -> None:
    outbox, publisher = an_outbox("call-a"), FakePublisher()
    publisher.fail_with = "ConnectionError: down"
    delays = []
    for _ in range(7):
        await publish_outbox_batch(outbox, publisher, POLICY)
        delays.append(outbox.row(1).backoff_s)
        outbox.row(1).backoff_s = None  # due again
    assert delays == [0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


async def test_rows_after_the_first_unheard_message_wait_behind_it_in_order() -> None:
    outbox, publisher = an_outbox("call-a", "call-a", "call-a"), FakePublisher()
    publisher.heard_by['{"n":2}'] = 0
    result = await publish_outbox_batch(outbox, publisher, POLICY)
    assert (result.published, result.failed, result.error) == (1, 2, NO_SUBSCRIBER)
    assert outbox.published() == [1]
    assert outbox.pending() == [2, 3]
    assert outbox.row(2).last_error == "no subscriber"


async def test_without_requiring_a_subscriber_an_unheard_message_counts_as_sent() -> None:
    outbox, publisher = an_outbox("call-a", "call-b"), FakePublisher(listeners=0)
    policy = DrainPolicy(batch_size=10, require_subscriber=False)
    result = await publish_outbox_batch(outbox, publisher, policy)
    assert (result.published, result.failed) == (2, 0)
    assert outbox.pending() == []


async def test_a_crash_before_the_claim_ends_leaves_every_row_pending() -> None:
    outbox = an_outbox("call-a", "call-b")

    class CrashingPublisher(FakePublisher):
        async def publish_batch(self, messages: list[str]) -> list[int]:
            raise RuntimeError("relay killed mid-batch")

    with pytest.raises(RuntimeError):
        await publish_outbox_batch(outbox, CrashingPublisher(), POLICY)
    assert outbox.pending() == [1, 2]
    assert outbox.row(1).attempts == 0


async def test_a_batch_is_at_most_the_batch_size() -> None:
    outbox, publisher = an_outbox(*[f"call-{n}" for n in range(5)]), FakePublisher()
    result = await publish_outbox_batch(outbox, publisher, DrainPolicy(batch_size=3))
    assert result.published == 3
    assert outbox.pending() == [4, 5]
