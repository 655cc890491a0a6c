"""The timer worker (durable business-rule timers). Arrives with the business-rules issue."""
