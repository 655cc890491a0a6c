"""The relay process: drains the outbox to Redis pub/sub, in per-call order."""
