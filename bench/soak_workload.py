"""The soak's workload: whole call lifecycles, each a script of producer events.

A call's script is drawn once, from a seeded random generator, when the call starts:
initiated → (abandoned while waiting) or routed (sometimes re-routed) → answered →
holds and resumes → transfers to an agent or to another queue → ended (completed,
abandoned or failed). Each step knows the queue the call is in before and after it,
so the soak knows which `queue:` rooms must see the event.
"""

import random
from dataclasses import dataclass, field
from typing import Any

QUEUES = ("medical_spanish", "medical_english", "legal_spanish", "legal_english")
MEDIA = ("voice", "video")


@dataclass(frozen=True)
class Step:
    """One producer event of a call, with the queues it touches (before, after)."""

    body: dict[str, Any]
    queues: tuple[str, ...]


@dataclass
class CallScript:
    call_id: str
    steps: list[Step]
    next_index: int = 0
    answered: list[dict[str, Any]] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.next_index >= len(self.steps)


def _agent(rng: random.Random) -> str:
    return f"agent-{rng.randrange(1, 200)}"


def make_call(call_id: str, rng: random.Random) -> CallScript:
    """A random but valid lifecycle for `call_id` (every step allowed by the state machine)."""
    queue = rng.choice(QUEUES)
    steps: list[Step] = []

    def add(event_type: str, data: dict[str, Any], before: str, after: str) -> None:
        body = {
            "event_id": f"{call_id}-{len(steps) + 1}",
            "type": event_type,
            "call_id": call_id,
            "data": data,
        }
        steps.append(Step(body, tuple(dict.fromkeys((before, after)))))

    add("call_initiated", {"media": rng.choice(MEDIA), "queue_id": queue}, queue, queue)
    if rng.random() < 0.12:  # the caller hangs up while waiting
        add("call_ended", {"end_reason": "abandoned", "duration": rng.uniform(1, 20)}, queue, queue)
        return CallScript(call_id, steps)
    add("call_routed", {"agent_id": _agent(rng), "routing_time": rng.uniform(0.1, 3)}, queue, queue)
    if rng.random() < 0.1:  # routed again before anyone answered
        add("call_routed", {"agent_id": _agent(rng), "routing_time": 1.0}, queue, queue)
    if rng.random() < 0.05:  # abandoned while ringing
        add("call_ended", {"end_reason": "abandoned", "duration": rng.uniform(1, 20)}, queue, queue)
        return CallScript(call_id, steps)
    add("call_answered", {"wait_time": rng.uniform(1, 20)}, queue, queue)
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        add("call_hold", {}, queue, queue)
        add("call_resumed", {}, queue, queue)
    if rng.random() < 0.3:
        if rng.random() < 0.5:
            add("call_transferred", {"to_agent_id": _agent(rng)}, queue, queue)
        else:
            target = rng.choice([q for q in QUEUES if q != queue])
            add("call_transferred", {"to_queue_id": target}, queue, target)
            queue = target
            add("call_routed", {"agent_id": _agent(rng), "routing_time": 1.0}, queue, queue)
        add("call_answered", {"wait_time": rng.uniform(1, 10)}, queue, queue)
        if rng.random() < 0.3:
            add("call_hold", {}, queue, queue)
            add("call_resumed", {}, queue, queue)
    reason = rng.choices(("completed", "abandoned", "failed"), weights=(90, 5, 5))[0]
    add("call_ended", {"end_reason": reason, "duration": rng.uniform(30, 900)}, queue, queue)
    return CallScript(call_id, steps)


@dataclass(frozen=True)
class InvalidPost:
    """A request the API must refuse with a 4xx, and nothing written."""

    name: str
    body: bytes
    expected: frozenset[int]
    with_key: bool = True


def invalid_posts(prefix: str, n: int) -> InvalidPost:
    """The n-th invalid request of the run (they rotate through the kinds)."""
    call_id = f"{prefix}-bad-{n}"
    kinds = [
        InvalidPost("malformed json", b'{"type": "call_initiated", ', frozenset({400, 422})),
        InvalidPost(
            "unknown field",
            (
                b'{"type":"call_initiated","call_id":"%s","data":'
                b'{"media":"voice","queue_id":"medical_spanish","colour":"red"}}' % call_id.encode()
            ),
            frozenset({422}),
        ),
        InvalidPost(
            "system event type",
            b'{"type":"sla_breached","call_id":"%s","data":{}}' % call_id.encode(),
            frozenset({422}),
        ),
        InvalidPost(
            "unknown call",
            b'{"type":"call_answered","call_id":"%s","data":{"wait_time":1}}' % call_id.encode(),
            frozenset({404, 409}),
        ),
        InvalidPost(
            "no api key",
            b'{"type":"call_hold","call_id":"%s","data":{}}' % call_id.encode(),
            frozenset({401}),
            with_key=False,
        ),
    ]
    return kinds[n % len(kinds)]
