import pytest

from realtime_service.domain.dedupe import Deduplicator, Verdict


def test_first_event_of_a_call_is_emitted() -> None:
    decision = Deduplicator().check_call_event("c-1", 1)

    assert decision.verdict is Verdict.EMIT
    assert decision.emit


def test_same_call_and_seq_twice_is_a_repeat() -> None:
    dedupe = Deduplicator()
    dedupe.check_call_event("c-1", 1)

    decision = dedupe.check_call_event("c-1", 1)

    assert decision.verdict is Verdict.REPEAT
    assert not decision.emit


def test_older_seq_after_a_newer_one_is_a_repeat() -> None:
    dedupe = Deduplicator()
    for seq in (1, 2, 3):
        dedupe.check_call_event("c-1", seq)

    assert dedupe.check_call_event("c-1", 2).verdict is Verdict.REPEAT


def test_redelivered_run_after_relay_crash_emits_only_the_new_tail() -> None:
    dedupe = Deduplicator()
    emitted = [s for s in (1, 2, 3, 2, 3, 4, 5) if dedupe.check_call_event("c-1", s).emit]

    assert emitted == [1, 2, 3, 4, 5]


def test_gap_in_seq_is_still_emitted_and_reported() -> None:
    dedupe = Deduplicator()
    dedupe.check_call_event("c-1", 1)

    decision = dedupe.check_call_event("c-1", 4)

    assert decision.verdict is Verdict.GAP
    assert decision.emit
    assert decision.last_seq == 1
    assert dedupe.check_call_event("c-1", 5).verdict is Verdict.EMIT


def test_first_seen_call_starting_above_one_is_not_a_gap() -> None:
    assert Deduplicator().check_call_event("c-1", 7).verdict is Verdict.EMIT


def test_calls_are_tracked_independently() -> None:
    dedupe = Deduplicator()
    dedupe.check_call_event("c-1", 1)

    assert dedupe.check_call_event("c-2", 1).verdict is Verdict.EMIT


def test_least_recently_seen_call_is_forgotten_beyond_the_bound() -> None:
    dedupe = Deduplicator(max_calls=2)
    dedupe.check_call_event("c-1", 1)
    dedupe.check_call_event("c-2", 1)
    dedupe.check_call_event("c-1", 2)  # c-1 is now the most recent
    dedupe.check_call_event("c-3", 1)  # evicts c-2

    assert dedupe.check_call_event("c-1", 2).verdict is Verdict.REPEAT
    assert dedupe.check_call_event("c-2", 1).verdict is Verdict.EMIT


def test_memory_stays_bounded_under_many_calls() -> None:
    dedupe = Deduplicator(max_calls=100, max_alerts=100)
    for n in range(1_000):
        dedupe.check_call_event(f"c-{n}", 1)
        dedupe.check_alert(f"a-{n}")

    assert len(dedupe._last_seq) == 100
    assert len(dedupe._alerts) == 100


def test_same_alert_id_twice_is_a_repeat() -> None:
    dedupe = Deduplicator()

    assert dedupe.check_alert("a-1").emit
    assert not dedupe.check_alert("a-1").emit
    assert dedupe.check_alert("a-2").emit


def test_least_recently_seen_alert_is_forgotten_beyond_the_bound() -> None:
    dedupe = Deduplicator(max_alerts=1)
    dedupe.check_alert("a-1")
    dedupe.check_alert("a-2")

    assert dedupe.check_alert("a-1").emit


def test_bounds_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Deduplicator(max_calls=0)
