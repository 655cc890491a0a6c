"""Loads the shared test fixtures (real PostgreSQL and Redis servers) for every test."""

pytest_plugins = ["devstack.pytest_plugin"]
