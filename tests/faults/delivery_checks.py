"""What must hold after a fault: each accepted event delivered once and in order, and
stored once with its outbox row and its call's update."""

from collections.abc import Mapping

from .queries import fetch_rows


def assert_each_once_in_order(
    by_call: Mapping[str, list[int]], expected: Mapping[str, int]
) -> None:
    """Per call, the seqs received are exactly 1..n: nothing lost, repeated or reordered."""
    wrong = {
        call_id: by_call.get(call_id, [])
        for call_id, count in expected.items()
        if by_call.get(call_id, []) != list(range(1, count + 1))
    }
    assert not wrong, (
        f"calls not received as 1..n: { {c: (expected[c], s) for c, s in wrong.items()} }"
    )
    extra = set(by_call) - set(expected)
    assert not extra, f"events of unexpected calls: {extra}"


async def received_all(by_call: Mapping[str, list[int]], expected: Mapping[str, int]) -> bool:
    return all(len(by_call.get(call_id, [])) >= n for call_id, n in expected.items())


CONSISTENCY = """
SELECT c.id, c.last_seq, count(e.id) AS events, min(e.seq) AS min_seq, max(e.seq) AS max_seq,
       count(o.id) AS outboxed
FROM calls c
LEFT JOIN call_events e ON e.call_id = c.id
LEFT JOIN outbox o ON o.kind = 'call_event'
                  AND o.payload -> 'message' -> 'event' ->> 'id' = e.id::text
GROUP BY c.id, c.last_seq
ORDER BY c.id
"""


async def assert_consistent(database_url: str, expected: Mapping[str, int]) -> None:
    """Every accepted event is stored once, with its outbox row and its call's update, and
    nothing else is: `last_seq` = number of events = number of outbox rows = accepted."""
    rows = await fetch_rows(database_url, CONSISTENCY)
    found = {
        r["id"]: (r["last_seq"], r["events"], r["min_seq"], r["max_seq"], r["outboxed"])
        for r in rows
    }
    want = {call_id: (n, n, 1, n, n) for call_id, n in expected.items()}
    assert found == want
