"""How often one connection may resume: a token bucket, one per socket.

Each subscribe with `since_seq` reads PostgreSQL (one snapshot, up to 1000 events), so a
socket repeating it as fast as it can would keep the database busy for everyone. A socket
starts with `per_minute` resumes and earns one back every 60 / `per_minute` seconds, up to
`per_minute` again: a client resuming once per reconnect never meets the limit. The bucket
lives in the socket's session, so it goes with the socket. Pure; the caller gives the time.
"""

from dataclasses import dataclass, field

DEFAULT_RESUMES_PER_MINUTE = 30


@dataclass(slots=True)
class ResumeAllowance:
    per_minute: int
    refilled_at: float
    """Monotonic time of the last refill; at first the socket's connect (the bucket is full)."""
    tokens: float = field(init=False)

    def __post_init__(self) -> None:
        if self.per_minute < 1:
            raise ValueError("resumes per minute must be positive")
        self.tokens = float(self.per_minute)

    def take(self, now: float) -> bool:
        """Spend one resume at monotonic time `now`; False when none is left."""
        elapsed = max(0.0, now - self.refilled_at)
        self.tokens = min(float(self.per_minute), self.tokens + elapsed * self.per_minute / 60)
        self.refilled_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
