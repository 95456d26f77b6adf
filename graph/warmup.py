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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncDriver, Query, RoutingControl
from neo4j.exceptions import ClientError, DriverError, Neo4jError

# How many statement texts are remembered: the most recently run win.
MAX_HOT = 100

Params = dict[str, Any]


class HotStatements:
    """The statement texts run most recently, each with the parameters it ran with last
    (Neo4j's plan cache is keyed by the text and the parameters' types) and how often.

    Only those run more than once are hot (`hottest`): a client sending one-off shapes
    (hostile review: 51 statements to warm, 34 of them an attacker's) would otherwise
    have a warm-up spend its budget on texts no one asks again; and beyond `size` a
    one-off is forgotten before a statement run again, however recent."""

    def __init__(self, size: int = MAX_HOT) -> None:
        self.size = size
        self._latest: OrderedDict[str, Params] = OrderedDict()
        self._runs: dict[str, int] = {}

    def add(self, cypher: str, params: Params) -> None:
        self._latest[cypher] = params
        self._latest.move_to_end(cypher)
        self._runs[cypher] = self._runs.get(cypher, 0) + 1
        while len(self._latest) > self.size:
            once = next((c for c in self._latest if self._runs[c] == 1 and c != cypher), None)
            if once is None:
                once, _ = self._latest.popitem(last=False)
            else:
                del self._latest[once]
            del self._runs[once]

    def hottest(self) -> list[tuple[str, Params]]:
        """The statements run more than once: most often run first, then most recently run
        (a warm-up cut short by its budget has planned what most requests will ask)."""
        recent_first = [item for item in reversed(self._latest.items()) if self._runs[item[0]] > 1]
        return sorted(recent_first, key=lambda item: -self._runs[item[0]])

    def __len__(self) -> int:
        return len(self._latest)

    def __contains__(self, cypher: object) -> bool:
        return cypher in self._latest


# How many statement texts a worker remembers having run (their hashes): more than it
# sends, fewer than Neo4j's plan cache holds (`db.query_cache_size`, 1,000 by default).
MAX_KNOWN = 500


class ColdStatementsBusy(RuntimeError):
    """A statement Neo4j has no plan for waited too long for its turn to be planned."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"a new statement waited {wait:g}s for the planner")
        self.wait = wait


class PlanGate:
    """Lets at most `cold` statements this worker has not yet run successfully (so
    that Neo4j probably plans them: seconds of its CPU for a large one) go to Neo4j at
    once; the others wait their turn for up to `wait` seconds, then `ColdStatementsBusy`.
    A statement already run (its plan cached) never waits: a client sending new shapes
    of queries occupies one slot of the planner per worker, not all of Neo4j's CPU, and
    the requests Neo4j has plans for keep being answered.

    What it ran stays known when Neo4j answers again after failing checks: a restarted
    Neo4j has lost its plans, but the warm-up plans the hot statements again, and a Neo4j
    only too busy to answer (a flood of new shapes does that) has them still; forgetting
    would hold the everyday requests behind the flood."""

    def __init__(self, cold: int = 1, wait: float = 5.0, size: int = MAX_KNOWN) -> None:
        self.cold = cold
        self.wait = wait
        self.size = size
        self._known: OrderedDict[int, None] = OrderedDict()
        self._turns = asyncio.Semaphore(max(cold, 1))
        # Cold statements sent and not yet answered, now and at most (metrics, tests).
        self.in_flight = 0
        self.most_in_flight = 0

    @staticmethod
    def _key(cypher: str) -> int:
        # Python's own hash of the text: computed once per string and kept by it (knows,
        # then learn), a fifth of a digest's cost; two texts sharing one (1 in 2**64)
        # would let a new statement skip its turn, nothing worse.
        return hash(cypher)

    def knows(self, cypher: str) -> bool:
        key = self._key(cypher)
        if key in self._known:
            self._known.move_to_end(key)
            return True
        return False

    def learn(self, cypher: str) -> None:
        """`cypher` ran: Neo4j holds its plan."""
        key = self._key(cypher)
        self._known[key] = None
        self._known.move_to_end(key)
        while len(self._known) > self.size:
            self._known.popitem(last=False)

    @asynccontextmanager
    async def admit(self, cypher: str) -> AsyncIterator[None]:
        """Send `cypher` within this block: at once if its plan is known, else in turn."""
        if self.cold <= 0 or self.knows(cypher):
            yield
            return
        try:
            async with asyncio.timeout(self.wait):
                await self._turns.acquire()
        except TimeoutError:
            raise ColdStatementsBusy(self.wait) from None
        if self.knows(cypher):  # the same text, run while this one waited: planned
            self._turns.release()
            yield
            return
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            yield
        finally:
            self.in_flight -= 1
            self._turns.release()


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
    # Statements left unplanned because each alone overran its share of the budget.
    skipped: int = 0
    seconds: float = 0.0
    started: float | None = None

    def report(self) -> dict[str, Any]:
        seconds = self.seconds
        if self.state == RUNNING and self.started is not None:
            seconds = time.monotonic() - self.started  # so far: a poller sees it move
        return {"state": self.state, "warmed": self.warmed, "statements": self.statements,
                "skipped": self.skipped, "seconds": round(seconds, 3)}  # fmt: skip


# A statement after the first may take at most this share of the budget (and at least a
# second): one the planner is slow on is skipped, and the warm-up goes on with the next.
STATEMENT_SHARE = 0.25


async def warm(
    driver: AsyncDriver,
    database: str,
    statements: list[tuple[str, Params]],
    ends: float,
    progress: Warmup,
    gate: PlanGate | None = None,
) -> None:
    """`EXPLAIN` each statement, in order, until `ends` (a `time.monotonic()` instant).

    A statement Neo4j refuses, or one that overruns its share of the budget, is skipped;
    Neo4j failing altogether ends the warm-up (`interrupted`: the next recovery warms
    again). Each statement planned is known to `gate` again: it need not wait its turn."""
    started = time.monotonic()
    share = max(1.0, (ends - started) * STATEMENT_SHARE)
    progress.state, progress.warmed, progress.statements = RUNNING, 0, len(statements)
    progress.skipped, progress.started = 0, started
    try:
        for cypher, params in statements:
            left = ends - time.monotonic()
            if left <= 0:
                progress.state = TIMED_OUT
                return
            # The first statement after a restart also warms the JVM's planner itself
            # (seconds on a cold JVM): it may take what is left.
            allowed = left if progress.warmed == progress.skipped == 0 else min(left, share)
            try:
                async with asyncio.timeout(allowed):
                    await driver.execute_query(
                        Query(f"EXPLAIN {cypher}", timeout=allowed), params,
                        database_=database, routing_=RoutingControl.READ,
                    )  # fmt: skip
            except TimeoutError:
                progress.skipped += 1
                continue
            except ClientError as error:
                if "TimedOut" in (error.code or "") or "Timeout" in (error.code or ""):
                    progress.skipped += 1
                continue  # this statement only (a label or index since dropped ...)
            except (Neo4jError, DriverError, OSError):
                progress.state = INTERRUPTED
                return
            progress.warmed += 1
            if gate is not None:
                gate.learn(cypher)
        progress.state = DONE
    finally:
        progress.seconds = time.monotonic() - started
