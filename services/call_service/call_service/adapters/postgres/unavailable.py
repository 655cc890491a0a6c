"""Which driver errors mean "PostgreSQL is unreachable" (→ 503), as opposed to a bug."""

import asyncpg

UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
)

# A pooled connection caught mid-teardown (PostgreSQL shutting down) fails its next
# statement with InternalClientError: at the start of a unit of work that is "unavailable".
UNAVAILABLE_AT_START: tuple[type[BaseException], ...] = (
    *UNAVAILABLE_ERRORS,
    asyncpg.exceptions.InternalClientError,
)

# SQLSTATE class 22 (data exception): PostgreSQL refused a value — a NUL in text, a
# number or date out of range, a character the encoding lacks. The statement wrote
# nothing, and the value came from the request: the client's error, not the service's.
UNSTORABLE_VALUE_ERRORS: tuple[type[BaseException], ...] = (asyncpg.exceptions.DataError,)
