"""New statement texts wait their turn to be planned (graph/warmup.py `PlanGate`).

Hostile review: Neo4j spends seconds planning each statement text it has not seen, and a
client sending many new shapes of a query at once kept its planner busy until every
request, also the everyday ones whose plans were cached, met its timeout. A worker sends
at most one new text at a time; the others wait their turn (then BUSY), and a text it ran
before goes at once. The statements run on the test Neo4j.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from neo4j import Driver, Query, Record

from diplograph.settings import Settings
from graph.driver import connect_async
from graph.reads import Reader
from graph.warmup import PlanGate
from schema import errors
from schema.api import schema
from schema.compiled import Compiler, Fallback
from schema.context import Context

FIELDS = ("name", "slug", "description", "date { value precision }", "aliases")
# Different shapes, so different statement texts: subsets of an entity's fields.
SHAPES = [
    f'{{ node(id: "cuba") {{ ... on Country {{ {" ".join(chosen)} }} }} }}'
    for chosen in itertools.combinations(FIELDS, 3)
][:6]
KNOWN = "{ people(first: 2) { totalCount edges { node { name } } } }"


class Sent:
    """Statements under way at Neo4j across readers, now and at most."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0


class CountingReader(Reader):
    """A reader that counts its statements in Neo4j's hands (the driver is the real one)."""

    sent: Sent

    async def _records(self, query: Query, params: dict[str, Any]) -> list[Record]:
        self.sent.now += 1
        self.sent.most = max(self.sent.most, self.sent.now)
        try:
            return await super()._records(query, params)
        finally:
            self.sent.now -= 1


async def answer(document: str, context: Context) -> dict[str, Any]:
    compiler = Compiler(schema)
    plan = await compiler.plan(document, None, {})
    assert plan is not None
    result = await compiler.execute(plan, {}, context, None, Fallback())
    assert result is not None
    if result.errors:
        raise result.errors[0].original_error or result.errors[0]
    assert result.data is not None
    return result.data


def test_new_shapes_are_planned_one_at_a_time_and_known_ones_do_not_wait(
    settings: Settings, knowledge_graph: Driver
) -> None:
    async def run() -> None:
        driver = connect_async(settings)
        gate = PlanGate(cold=1, wait=120.0)
        sent = Sent()

        def context() -> Context:
            reader = CountingReader(driver, settings.neo4j_database, 60.0, gate=gate)
            reader.sent = sent
            return Context(reader=reader, settings=settings, sync_driver=None)  # type: ignore[arg-type]

        try:
            contexts = [context() for _ in SHAPES]
            answers = await asyncio.gather(
                *(answer(d, c) for d, c in zip(SHAPES, contexts, strict=True))
            )
            texts = {t for c in contexts for t in c.reader.log.texts}
            assert len(texts) == len(SHAPES)  # every one new to the worker
            assert all(a["node"]["name"] == "Cuba" for a in answers), answers
            # Several requests at once, yet one new statement at Neo4j at a time.
            assert sent.most == gate.most_in_flight == 1

            await answer(KNOWN, context())  # now known: its plan is cached
            async with gate.admit("a new statement holding the planner's turn"):
                # Behind a new statement, one Neo4j has a plan for goes at once ...
                data = await answer(KNOWN, context())
                assert data["people"]["totalCount"] >= 2
                # ... and a new one waits its turn, a bounded time, then is refused.
                gate.wait = 0.2
                with pytest.raises(errors.Busy) as refused:
                    await answer(KNOWN.replace("name", "name description"), context())
            assert refused.value.extensions == {"code": "BUSY", "retryAfter": 1}
            assert gate.in_flight == 0
        finally:
            await driver.close()

    asyncio.run(run())


def test_known_statements_are_bounded() -> None:
    gate = PlanGate(size=2)
    for cypher in ("a", "b", "a", "c"):
        gate.learn(cypher)
    assert gate.knows("a") and not gate.knows("b") and gate.knows("c")
