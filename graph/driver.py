"""Neo4j driver lifecycle: one driver per process, built from the settings."""

from __future__ import annotations

from neo4j import AsyncDriver, AsyncGraphDatabase, Driver, GraphDatabase

from diplograph.settings import Settings


def _options(settings: Settings) -> dict[str, object]:
    return {
        "auth": (settings.neo4j_user, settings.neo4j_password),
        # Fail fast when the server is down rather than hang a request.
        "connection_timeout": 5.0,
        "connection_acquisition_timeout": 10.0,
        "max_transaction_retry_time": 5.0,
        # Warnings such as "relationship type does not exist" are expected on a partial graph.
        "notifications_min_severity": "OFF",
    }


def connect(settings: Settings) -> Driver:
    """A synchronous driver (loaders, CLI)."""
    return GraphDatabase.driver(settings.bolt_uri, **_options(settings))  # type: ignore[arg-type]


def connect_async(settings: Settings) -> AsyncDriver:
    """An asynchronous driver (the ASGI app)."""
    return AsyncGraphDatabase.driver(settings.bolt_uri, **_options(settings))  # type: ignore[arg-type]
