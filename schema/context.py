"""What every resolver can reach: a per-request reader over Neo4j, and the settings."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver
from neo4j.exceptions import (
    ClientError,
    ConnectionAcquisitionTimeoutError,
    DatabaseUnavailable,
    ServiceUnavailable,
    SessionExpired,
)
from strawberry.types import Info as StrawberryInfo

from diplograph.settings import Settings
from graph.reads import Reader, Statement
from graph.warmup import ColdStatementsBusy
from schema import errors
from services.workers import IngestProcesses

# How much longer than DIPLOGRAPH_QUERY_TIMEOUT the API waits for Neo4j before giving up.
CLIENT_GRACE_SECONDS = 2.0


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@dataclass
class Context:
    reader: Reader
    settings: Settings
    sync_driver: Driver
    authorization: str | None = None
    # Where ingestDocument analyses and writes (the app's child processes); None: in the
    # calling thread.
    ingest_processes: IngestProcesses | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Bytes of the response's values fetched so far (Neo4j's estimate), and whether the
    # budget was exceeded: then the whole response is replaced by one error.
    response_bytes: int = 0
    too_large: errors.ResponseTooLarge | None = None
    # One statement at a time per request: each gets what is left of the budget, and one
    # request with many root fields does not occupy many Neo4j connections at once.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Statements run so far, and a failure to raise again at that statement instead of
    # running it: a compiled attempt that met a timeout hands it to the ordinary execution.
    statements: int = 0
    replay: tuple[int, Exception] | None = None
    # What each statement answered, in order; handed to the ordinary execution after a
    # compiled attempt failed later on, so that the work already done is not done again.
    answered: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    reuse: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # The event loop the context was made on: the driver's connections and the lock belong
    # to it. The ordinary execution runs on a loop of its own in a worker thread
    # (schema.app); its statements are sent back here.
    home: asyncio.AbstractEventLoop | None = field(default_factory=_running_loop)

    async def run(self, statement: Statement) -> dict[str, Any]:
        """Run one compiled statement; Neo4j failures become coded GraphQL errors.

        Besides Neo4j's own transaction timeout, a client-side deadline a little
        longer bounds the wait when the server stops answering altogether.
        """
        if self.home is not None and asyncio.get_running_loop() is not self.home:
            future = asyncio.run_coroutine_threadsafe(self.run(statement), self.home)
            return await asyncio.wrap_future(future)
        limit = self.settings.max_response_bytes
        deadline = self.settings.query_timeout + CLIENT_GRACE_SECONDS
        async with self.lock:
            self.statements += 1
            if self.replay is not None and self.replay[0] == self.statements - 1:
                if isinstance(self.replay[1], errors.ResponseTooLarge):
                    self.too_large = self.replay[1]
                raise self.replay[1]
            if self.too_large is not None:
                raise self.too_large
            done = self.reuse[self.statements - 1] if self.statements <= len(self.reuse) else None
            if done is not None and done[0] == statement.cypher:
                return self._counted(statement, dict(done[1]), limit)
            with coded_neo4j_errors(self.settings.query_timeout):
                try:
                    async with asyncio.timeout(deadline):
                        record = await self.reader.one(statement, limit - self.response_bytes)
                except TimeoutError as error:
                    raise errors.Timeout(
                        f"the graph database did not answer within {deadline:g}s"
                    ) from error
            return self._counted(statement, record, limit)

    def _counted(self, statement: Statement, record: dict[str, Any], limit: int) -> dict[str, Any]:
        self.answered.append((statement.cypher, record))
        self.response_bytes += int(record.get("bytes") or 0)
        if self.response_bytes > limit:
            self.too_large = errors.ResponseTooLarge(limit, self.response_bytes)
            raise self.too_large
        return dict(record)


@contextmanager
def coded_neo4j_errors(query_timeout: float) -> Iterator[None]:
    """Neo4j failures as coded GraphQL errors: DATABASE_UNAVAILABLE or TIMEOUT; a new
    statement that waited too long for its turn to be planned, BUSY."""
    try:
        yield
    except ColdStatementsBusy as error:
        raise errors.Busy(
            "too many new kinds of query are being planned; send it again shortly",
            math.ceil(error.wait),
        ) from error
    except (
        ServiceUnavailable,
        SessionExpired,
        DatabaseUnavailable,
        ConnectionAcquisitionTimeoutError,
        OSError,
    ) as error:
        raise errors.DatabaseUnavailable(
            "the graph database is unavailable; try again shortly"
        ) from error
    except ClientError as error:
        if "Timeout" in (error.code or "") or "TimedOut" in (error.code or ""):
            raise errors.Timeout(f"the query took longer than {query_timeout:g}s") from error
        raise


Info = StrawberryInfo[Context, None]
