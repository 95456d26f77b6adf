"""Neo4j driver lifecycle: one driver per process, built from the settings."""

from __future__ import annotations

from neo4j import AsyncDriver, AsyncGraphDatabase, Driver, GraphDatabase
from neo4j.api import BookmarkManager

from diplograph.settings import Settings

# How long a failed unit of work is retried. The API fails fast: a refused or lost
# connection is retried once (about a second later, which also replaces pooled
# connections a restarted server dropped) and then reported as DATABASE_UNAVAILABLE.
# Loaders and mutations write, and ride out a brief outage for a few seconds more.
API_RETRY_SECONDS = 0.5
# The API's reads run auto-commit and retry themselves (graph/reads.py `Reader`): once,
# after about this many seconds, the driver's first delay with `API_RETRY_SECONDS`.
API_RETRY_DELAY = 1.0
WRITE_RETRY_SECONDS = 5.0


def shared_bookmarks() -> BookmarkManager:
    """Bookmarks for a process whose writes and reads go through two drivers (the API).

    On a cluster a read may be routed to a member that has not applied the last write
    yet; sessions that share these bookmarks wait until it has. A synchronous manager,
    because synchronous sessions need one and asynchronous ones accept it.
    """
    return GraphDatabase.bookmark_manager()


def _options(
    settings: Settings, retry_seconds: float, bookmarks: BookmarkManager | None
) -> dict[str, object]:
    return {
        # The default for every session of the driver (not for its execute_query).
        "bookmark_manager": bookmarks,
        "auth": (settings.neo4j_user, settings.neo4j_password),
        # Fail fast when the server is down rather than hang a request.
        "connection_timeout": 5.0,
        "connection_acquisition_timeout": 10.0,
        "max_transaction_retry_time": retry_seconds,
        # Warnings such as "relationship type does not exist" are expected on a partial graph.
        "notifications_min_severity": "OFF",
    }


def connect(settings: Settings, bookmarks: BookmarkManager | None = None) -> Driver:
    """A synchronous driver (loaders, CLI, mutations)."""
    options = _options(settings, WRITE_RETRY_SECONDS, bookmarks)
    return GraphDatabase.driver(settings.bolt_uri, **options)  # type: ignore[arg-type]


def connect_async(settings: Settings, bookmarks: BookmarkManager | None = None) -> AsyncDriver:
    """An asynchronous driver (the ASGI app's reads)."""
    options = _options(settings, API_RETRY_SECONDS, bookmarks)
    return AsyncGraphDatabase.driver(settings.bolt_uri, **options)  # type: ignore[arg-type]
