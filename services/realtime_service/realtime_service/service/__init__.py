"""Use cases: deliver one relay message to its rooms, resume a call room from the database.
They reach Socket.io, PostgreSQL and the metrics through `ports`."""
