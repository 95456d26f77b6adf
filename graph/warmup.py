"""Neo4j's plan cache, warmed with the statements the API runs.

Neo4j plans each statement text it has not planned yet (seconds for a large one on a busy
machine) and forgets every plan when it restarts: the first requests after a restart
waited on the planner and met their timeout. The API remembers the statements it ran, each
text with its latest parameters (`HotStatements`, bounded); when it starts and whenever
Neo4j answers again after failing, it has Neo4j plan them with `EXPLAIN` (planned and
cached, nothing run), in the background, within a time budget (`warm`).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncDriver, Query, RoutingControl
from neo4j.exceptions import ClientError, DriverError, Neo4jError

# How many statement texts are remembered: the most recently run win.
MAX_HOT = 100

Params = dict[str, Any]


class HotStatements:
    """The statement texts run most recently, each with the parameters it ran with last
    (Neo4j's plan cache is keyed by the text and the parameters' types)."""

    def __init__(self, size: int = MAX_HOT) -> None:
        self.size = size
        self._latest: OrderedDict[str, Params] = OrderedDict()

    def add(self, cypher: str, params: Params) -> None:
        self._latest[cypher] = params
        self._latest.move_to_end(cypher)
        while len(self._latest) > self.size:
            self._latest.popitem(last=False)

    def latest(self) -> list[tuple[str, Params]]:
        """Most recently run first."""
        return list(reversed(self._latest.items()))

    def __len__(self) -> int:
        return len(self._latest)

    def __contains__(self, cypher: object) -> bool:
        return cypher in self._latest


# The states of a warm-up: not started, under way, how it ended, or switched off.
PENDING, RUNNING, DONE, TIMED_OUT, INTERRUPTED, OFF = (
    "pending", "running", "done", "timedOut", "interrupted", "off",
)  # fmt: skip


@dataclass
class Warmup:
    """The last warm-up: its state, how many statements Neo4j planned of how many."""

    state: str = PENDING
    warmed: int = 0
    statements: int = 0
    seconds: float = 0.0

    def report(self) -> dict[str, Any]:
        return {"state": self.state, "warmed": self.warmed, "statements": self.statements,
                "seconds": round(self.seconds, 3)}  # fmt: skip


async def warm(
    driver: AsyncDriver,
    database: str,
    statements: list[tuple[str, Params]],
    ends: float,
    progress: Warmup,
) -> None:
    """`EXPLAIN` each statement, in order, until `ends` (a `time.monotonic()` instant).

    A statement Neo4j refuses is skipped; Neo4j failing altogether ends the warm-up
    (`interrupted`: the next recovery warms again)."""
    started = time.monotonic()
    progress.state, progress.warmed, progress.statements = RUNNING, 0, len(statements)
    try:
        for cypher, params in statements:
            left = ends - time.monotonic()
            if left <= 0:
                progress.state = TIMED_OUT
                return
            try:
                async with asyncio.timeout(left):
                    await driver.execute_query(
                        Query(f"EXPLAIN {cypher}", timeout=left), params,
                        database_=database, routing_=RoutingControl.READ,
                    )  # fmt: skip
            except TimeoutError:
                progress.state = TIMED_OUT
                return
            except ClientError as error:
                if "TimedOut" in (error.code or "") or "Timeout" in (error.code or ""):
                    progress.state = TIMED_OUT
                    return
                continue  # this statement only (a label or index since dropped ...)
            except (Neo4jError, DriverError, OSError):
                progress.state = INTERRUPTED
                return
            progress.warmed += 1
        progress.state = DONE
    finally:
        progress.seconds = time.monotonic() - started
