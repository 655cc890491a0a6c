"""Webhook deliveries: the worker that fans integration events out to registered receivers.

`python -m call_service.webhooks` runs a dispatcher (integration_outbox →
one delivery per subscribed webhook) and a sender (signed POSTs with retries,
dead letters after the last attempt). It never touches the realtime path: the
relay and the outbox it drains are separate tables and processes.
"""
