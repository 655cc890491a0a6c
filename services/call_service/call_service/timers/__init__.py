"""The timer worker: fires durable business-rule timers (SLA, no-answer, max hold)."""
