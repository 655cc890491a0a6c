"""I/O: the Redis subscription, the PostgreSQL backlog, Prometheus, and what the process adds
to python-engineio and python-socketio (transport, send queues, auth deadline, packet guard,
the room index)."""
