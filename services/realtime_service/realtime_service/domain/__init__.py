"""Pure rules of the realtime service: rooms, who may join them, what a relay message becomes,
repeats, the resume seam and its allowance, the acks' texts. No I/O and no clock: callers pass
the time in."""
