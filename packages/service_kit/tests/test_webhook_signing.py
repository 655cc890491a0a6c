"""Webhook signatures: what the worker sends is what a receiver's check accepts, once."""

import hashlib
import hmac

from service_kit.webhook_signing import sign, signed_headers, verify_signature

SECRET = "a-receiver-secret-of-some-length"
BODY = b'{"id":"e-1","type":"survey_requested"}'
NOW = 1_800_000_000


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == f"sha256={expected}"


def test_a_fresh_correct_signature_is_accepted() -> None:
    header = sign(SECRET, NOW, BODY)
    assert verify_signature(SECRET, str(NOW), BODY, header, 300, now=NOW + 5)


def test_a_replayed_request_past_the_tolerance_is_rejected() -> None:
    header = sign(SECRET, NOW, BODY)
    assert not verify_signature(SECRET, str(NOW), BODY, header, 300, now=NOW + 301)


def test_a_timestamp_from_the_future_past_the_tolerance_is_rejected() -> None:
    header = sign(SECRET, NOW, BODY)
    assert not verify_signature(SECRET, NOW, BODY, header, 300, now=NOW - 301)


def test_a_replay_with_a_new_timestamp_but_the_old_signature_is_rejected() -> None:
    header = sign(SECRET, NOW, BODY)
    assert not verify_signature(SECRET, str(NOW + 600), BODY, header, 300, now=NOW + 600)


def test_a_changed_body_is_rejected() -> None:
    header = sign(SECRET, NOW, BODY)
    assert not verify_signature(SECRET, NOW, BODY + b" ", header, now=NOW)


def test_another_secret_is_rejected() -> None:
    header = sign("another-secret-entirely", NOW, BODY)
    assert not verify_signature(SECRET, NOW, BODY, header, now=NOW)


def test_malformed_headers_are_rejected_without_raising() -> None:
    digest = sign(SECRET, NOW, BODY).removeprefix("sha256=")
    assert not verify_signature(SECRET, NOW, BODY, digest, now=NOW)
    assert not verify_signature(SECRET, NOW, BODY, "", now=NOW)
    assert not verify_signature(SECRET, "yesterday", BODY, sign(SECRET, NOW, BODY), now=NOW)


def test_the_delivery_headers_carry_id_event_timestamp_and_signature() -> None:
    headers = signed_headers(SECRET, NOW, BODY, "delivery-1", "survey_requested")
    assert headers["X-Webhook-Id"] == "delivery-1"
    assert headers["X-Webhook-Event"] == "survey_requested"
    assert headers["X-Webhook-Timestamp"] == str(NOW)
    assert headers["Content-Type"] == "application/json"
    assert verify_signature(SECRET, NOW, BODY, headers["X-Webhook-Signature"], now=NOW)
