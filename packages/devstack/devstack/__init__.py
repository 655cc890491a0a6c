"""Local development stack: embedded servers, dev API keys and a process supervisor.

Used by `make run` (`python -m devstack run`) and, through `devstack.pytest_plugin`,
by the tests, so that both run the same real PostgreSQL and Redis-compatible servers.
"""
