"""The sender's use case on in-memory ports: signed attempts, backoff, dead letters, refusals."""

import json
from datetime import timedelta

from call_service.domain.webhook_targets import AllowedTargets, parse_allowed_targets
from call_service.service.send_delivery import DeliverySender, RetrySchedule, SendPorts
from call_service.service.target_check import TargetCheck
from call_service.service.webhook_ports import ClaimedDelivery, PostResult

from .fakes_webhooks import (
    T0,
    FakeDeliveryQueue,
    NoLookups,
    RecordingReport,
    RecordingSigner,
    RecordingSleep,
    ScriptedTransport,
    SteppingClock,
    a_delivery,
)

OK, UNAVAILABLE = PostResult(204), PostResult(503)


class Sending:
    """A sender wired to fakes, and everything they saw."""

    def __init__(
        self,
        *answers: PostResult,
        schedule: RetrySchedule | None = None,
        allowed: AllowedTargets | None = None,
    ) -> None:
        self.queue = FakeDeliveryQueue()
        self.transport = ScriptedTransport(*answers)
        self.signer = RecordingSigner()
        self.report = RecordingReport()
        self.resolver = NoLookups()
        self.clock = SteppingClock()
        self.sleep = RecordingSleep()
        targets = TargetCheck(allowed or AllowedTargets(), self.resolver)
        ports = SendPorts(self.queue, self.transport, targets, self.signer, self.clock, self.report)
        self.sender = DeliverySender(ports, schedule or RetrySchedule(), self.sleep)

    async def deliver(self, delivery: ClaimedDelivery) -> str:
        return await self.sender.deliver(delivery)

    def recorded(self) -> list[tuple[str, int | None, str | None]]:
        return [(a.status, a.outcome.status_code, a.outcome.error) for a in self.queue.attempts]


async def test_a_2xx_answer_delivers_at_once_with_the_signed_compact_body() -> None:
    sending, delivery = Sending(OK), a_delivery()
    assert await sending.deliver(delivery) == "delivered"
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    [post] = sending.transport.posts
    assert (post.url, post.body) == (delivery.url, body)
    [signature] = sending.signer.signed
    assert (signature.secret, signature.body, signature.delivery_id) == (
        delivery.secret,
        body,
        str(delivery.id),
    )
    assert signature.timestamp == int(T0.timestamp())
    assert post.headers["X-Webhook-Signature"] == f"sig-{signature.timestamp}"
    assert sending.recorded() == [("delivered", 204, None)]
    assert sending.report.statuses == [(1, "delivered")]
    assert sending.sleep.waits == []


async def test_every_failed_attempt_is_recorded_and_the_waits_double_up_to_the_cap() -> None:
    schedule = RetrySchedule(attempts=4, backoff_s=0.5, max_backoff_s=1.0)
    sending = Sending(UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, OK, schedule=schedule)
    assert await sending.deliver(a_delivery()) == "delivered"
    assert sending.recorded() == [
        ("in_flight", 503, "HTTP 503"),
        ("in_flight", 503, "HTTP 503"),
        ("in_flight", 503, "HTTP 503"),
        ("delivered", 204, None),
    ]
    assert sending.sleep.waits == [0.5, 1.0, 1.0]


async def test_each_attempt_is_signed_afresh_with_its_own_time() -> None:
    sending = Sending(UNAVAILABLE, OK)
    sending.clock.step = timedelta(seconds=3)
    await sending.deliver(a_delivery())
    first, second = (s.timestamp for s in sending.signer.signed)
    assert second > first


async def test_after_the_last_failed_attempt_the_delivery_is_a_dead_letter() -> None:
    sending = Sending(UNAVAILABLE)
    assert await sending.deliver(a_delivery()) == "dead"
    assert [status for status, _, _ in sending.recorded()] == ["in_flight", "in_flight", "dead"]
    assert sending.report.statuses == [(1, "in_flight"), (2, "in_flight"), (3, "dead")]
    assert len(sending.transport.posts) == 3


async def test_a_delivery_claimed_again_continues_with_the_attempts_left() -> None:
    sending = Sending(UNAVAILABLE)
    assert await sending.deliver(a_delivery(attempts=2)) == "dead"
    assert sending.report.statuses == [(3, "dead")]


async def test_a_delivery_past_its_budget_still_gets_one_attempt() -> None:
    sending = Sending(OK)
    assert await sending.deliver(a_delivery(attempts=5)) == "delivered"
    assert sending.report.statuses == [(6, "delivered")]


async def test_a_redirect_is_a_failed_attempt_and_its_location_is_never_requested() -> None:
    sending = Sending(PostResult(302), schedule=RetrySchedule(attempts=1))
    delivery = a_delivery()
    assert await sending.deliver(delivery) == "dead"
    assert sending.recorded() == [("dead", 302, "HTTP 302")]
    assert [p.url for p in sending.transport.posts] == [delivery.url]


async def test_a_stored_internal_address_is_refused_without_a_request_or_a_lookup() -> None:
    sending = Sending(OK, schedule=RetrySchedule(attempts=2))
    delivery = a_delivery("http://0x7f000001:8080/hook")
    assert await sending.deliver(delivery) == "dead"
    assert sending.recorded() == [
        ("in_flight", None, "target address not allowed"),
        ("dead", None, "target address not allowed"),
    ]
    assert sending.report.transport_details == ["target address not allowed: 127.0.0.1"] * 2
    assert sending.transport.posts == []
    assert sending.signer.signed == []
    assert sending.resolver.lookups == []


async def test_an_internal_address_the_operator_allows_is_posted_to() -> None:
    allowed = parse_allowed_targets(["127.0.0.1"])
    sending = Sending(OK, allowed=allowed)
    assert await sending.deliver(a_delivery("http://127.0.0.1:8080/hook")) == "delivered"
    assert len(sending.transport.posts) == 1


async def test_a_url_without_a_host_is_refused_without_a_request() -> None:
    sending = Sending(OK, schedule=RetrySchedule(attempts=1))
    assert await sending.deliver(a_delivery("http:///hook")) == "dead"
    assert sending.transport.posts == []


async def test_a_transport_failure_records_its_kind_and_reports_the_details_apart() -> None:
    refused = PostResult(None, "connection failed", "Connection refused")
    sending = Sending(refused, schedule=RetrySchedule(attempts=1))
    assert await sending.deliver(a_delivery()) == "dead"
    assert sending.recorded() == [("dead", None, "connection failed")]
    assert sending.report.transport_details == ["Connection refused"]


async def test_an_attempt_is_timed_by_the_clock() -> None:
    sending = Sending(OK)
    sending.clock.step = timedelta(milliseconds=250)
    await sending.deliver(a_delivery())
    [attempt] = sending.queue.attempts
    assert attempt.outcome.attempted_at == T0
    assert attempt.outcome.duration_ms == 250.0
