"""The resume seam (pure): what a resuming socket gets from the live stream, and when."""

from realtime_service.domain.resume_seam import ResumeRegistry

ROOMS = ["call:c-1", "calls", "queue:q-1"]


def _payload(seq: int) -> dict[str, object]:
    return {"event": {"call_id": "c-1", "seq": seq}}


def _divert(resumes: ResumeRegistry, *seqs: int, call_id: str = "c-1") -> list[list[str]]:
    return [resumes.divert(call_id, seq, _payload(seq), ROOMS) for seq in seqs]


def test_live_messages_of_a_resuming_call_are_held_and_its_sockets_skipped() -> None:
    resumes = ResumeRegistry()
    assert resumes.begin("a", "c-1")

    assert _divert(resumes, 5) == [["a"]]
    assert _divert(resumes, 1, call_id="c-2") == [[]]
    assert resumes.resuming("a", "c-1")
    assert not resumes.resuming("b", "c-1")


def test_a_live_message_also_in_the_backlog_is_not_released_again() -> None:
    # since_seq 2; during the database read seq 5 is live; the backlog read 3, 4, 5.
    resumes = ResumeRegistry()
    resumes.begin("a", "c-1")
    _divert(resumes, 5)

    assert resumes.release("a", "c-1", after_seq=5) == []
    assert not resumes.resuming("a", "c-1")


def test_a_backlog_event_still_on_its_way_live_skips_the_socket_after_the_resume() -> None:
    # The backlog read 3, 4, 5 from the database while 4 and 5 were still in the outbox.
    resumes = ResumeRegistry()
    resumes.begin("a", "c-1")
    assert resumes.release("a", "c-1", after_seq=5) == []

    assert _divert(resumes, 4, 5) == [["a"], ["a"]]  # the socket has them already
    assert _divert(resumes, 6) == [[]]  # the seam is over: the room delivers it
    assert _divert(resumes, 7) == [[]]


def test_the_first_live_message_past_the_floor_ends_the_seam() -> None:
    resumes = ResumeRegistry()
    resumes.begin("a", "c-1")
    resumes.release("a", "c-1", after_seq=5)

    assert _divert(resumes, 6) == [[]]
    assert _divert(resumes, 5) == [[]]  # a late repeat is the dedupe's business, not ours


def test_a_live_message_newer_than_the_backlog_is_released_once_in_order() -> None:
    resumes = ResumeRegistry()
    resumes.begin("a", "c-1")
    _divert(resumes, 5, 6, 7)

    released = resumes.release("a", "c-1", after_seq=5)

    assert [(m.seq, m.payload, m.rooms) for m in released] == [
        (6, _payload(6), tuple(ROOMS)),
        (7, _payload(7), tuple(ROOMS)),
    ]
    assert resumes.resuming("a", "c-1")  # still held back until a release finds nothing
    assert resumes.release("a", "c-1", after_seq=7) == []
    assert not resumes.resuming("a", "c-1")
    assert _divert(resumes, 8) == [[]]  # from now on the live emit reaches it directly


def test_a_live_message_at_or_below_since_seq_is_never_released() -> None:
    # A redelivery of seq 2 (the client holds up to 2) and the backlog is empty at seq 4.
    resumes = ResumeRegistry()
    resumes.begin("a", "c-1")
    _divert(resumes, 2, 5)

    assert [m.seq for m in resumes.release("a", "c-1", after_seq=4)] == [5]


def test_messages_arriving_while_the_release_is_emitted_come_in_the_next_release() -> None:
    resumes = ResumeRegistry()
    resumes.begin("a", "c-1")
    _divert(resumes, 4)
    first = resumes.release("a", "c-1", after_seq=3)
    _divert(resumes, 5)  # arrived while `first` was being emitted

    second = resumes.release("a", "c-1", after_seq=first[-1].seq)

    assert [m.seq for m in first + second] == [4, 5]
    assert resumes.release("a", "c-1", after_seq=5) == []


def test_repeats_and_disorder_in_the_held_messages_come_out_once_in_seq_order() -> None:
    resumes = ResumeRegistry()
    resumes.begin("a", "c-1")
    _divert(resumes, 7, 6, 7)

    assert [m.seq for m in resumes.release("a", "c-1", after_seq=5)] == [6, 7]


def test_each_resuming_socket_holds_its_own_copy() -> None:
    resumes = ResumeRegistry()
    resumes.begin("a", "c-1")
    _divert(resumes, 3)
    resumes.begin("b", "c-1")

    assert sorted(_divert(resumes, 4)[0]) == ["a", "b"]
    assert [m.seq for m in resumes.release("a", "c-1", after_seq=2)] == [3, 4]
    assert [m.seq for m in resumes.release("b", "c-1", after_seq=2)] == [4]


def test_one_resume_per_socket_and_call_at_a_time() -> None:
    resumes = ResumeRegistry()

    assert resumes.begin("a", "c-1")
    assert not resumes.begin("a", "c-1")
    assert resumes.begin("a", "c-2")
    resumes.release("a", "c-1", after_seq=3)
    assert resumes.begin("a", "c-1")  # once the hold is over, it may resume again
    assert resumes.resuming("a", "c-1")


def test_a_failed_resume_releases_everything_held_and_keeps_no_floor() -> None:
    resumes = ResumeRegistry()
    resumes.begin("a", "c-1")
    _divert(resumes, 3, 4)

    assert [m.seq for m in resumes.release("a", "c-1", after_seq=0)] == [3, 4]
    assert resumes.release("a", "c-1", after_seq=0) == []
    assert _divert(resumes, 2) == [[]]


def test_leaving_the_call_room_drops_the_floor_but_not_a_resume_in_progress() -> None:
    resumes = ResumeRegistry()
    resumes.begin("a", "c-1")
    resumes.begin("b", "c-1")
    resumes.release("a", "c-1", after_seq=5)

    resumes.left("a", "c-1")
    resumes.left("b", "c-1")

    assert _divert(resumes, 4) == [["b"]]


def test_a_disconnected_socket_is_forgotten_everywhere() -> None:
    resumes = ResumeRegistry()
    resumes.begin("a", "c-1")
    resumes.begin("a", "c-2")
    resumes.begin("b", "c-1")
    _divert(resumes, 3)

    resumes.forget("a")

    assert _divert(resumes, 4) == [["b"]]
    assert _divert(resumes, 1, call_id="c-2") == [[]]
    assert resumes.release("a", "c-1", after_seq=0) == []


def test_an_abandoned_resume_holds_nothing_more() -> None:
    resumes = ResumeRegistry()
    resumes.begin("a", "c-1")
    _divert(resumes, 3)

    resumes.abandon("a", "c-1")
    resumes.abandon("a", "c-1")  # idempotent

    assert not resumes.resuming("a", "c-1")
    assert _divert(resumes, 4) == [[]]
