"""A plan's cached work builds the very statements a fresh build does.

The compiled path keeps, per plan, the selections of its root fields (schema/selected.py),
their projections (`schema.selection.project`) and the compiled sections of their
statements (`CypherBuilder.section`). Every documented example, every bench operation and
the generated selections of tests/test_compiled.py run, each with two sets of variables,
once with every cache empty or off and then several times in turn with the caches warm;
the Cypher text and the parameters of every statement must be the same both ways. The
statements run on the test Neo4j, as they do for a request.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from neo4j import Driver

from bench.api.profiling import RecordingReader
from diplograph.settings import Settings
from graph import projection
from graph.driver import connect_async
from schema import selection
from schema.api import schema
from schema.compiled import Compiler, Fallback
from schema.context import Context
from tests.test_compiled import BENCH, GENERATED, PERSON, examples

# A second set of variables per document that has any (the first: the one test_compiled uses).
OTHER: dict[str, dict[str, Any]] = {
    "entity_page": {"id": "dagoberto-rodriguez-barrera"},
    "search": {"q": "embassy"},
    "meetings_range": {"from": "2012-01-01", "to": "2013-12-31"},
    "timeline": {"of": PERSON},
    "shortest_path": {"from": "cuba", "to": "alan-gross"},
    "neighborhood": {"id": PERSON},
    "meetings_by_year": {"country": "united-states", "from": "2010-01-01", "to": "2014-12-31"},
    "meetings_filtered": {"prefix": "T", "from": "2012-01-01"},
    "meetings_text": {"text": "embassy"},
}
BENCH_NAMES = list(OTHER)
SECOND: dict[str, dict[str, Any]] = {
    "countries(first: $n": {"n": 2, "after": None},
    "meetings(where: $w": {
        "w": {"text": "talks", "date": {"lte": "2015-01-01"}},
        "o": [{"field": "NAME", "direction": "ASC"}],
    },
    "@include(if: $x)": {"x": False},
    "people(first: $n)": {"n": 1},
}

Statements = list[tuple[str, dict[str, Any]]]


def second(document: str, variables: dict[str, Any], index: int | None) -> dict[str, Any]:
    if index is not None:
        return OTHER[BENCH_NAMES[index]]
    for marker, other in SECOND.items():
        if marker in document:
            return other
    return variables


async def statements(
    compiler: Compiler, settings: Settings, document: str, variables: dict[str, Any]
) -> Statements:
    plan = await compiler.plan(document, None, variables)
    if plan is None:
        return []
    driver = connect_async(settings)
    try:
        reader = RecordingReader(driver, settings.neo4j_database, 60.0)
        context = Context(reader=reader, settings=settings, sync_driver=None)  # type: ignore[arg-type]
        await compiler.execute(plan, variables, context, None, Fallback())
        return [(s.cypher, s.params) for s in reader.statements]
    finally:
        await driver.close()


def fresh(settings: Settings, document: str, variables: dict[str, Any]) -> Statements:
    """Built with every cache empty (a new compiler, no projection kept) or off."""
    selection.PROJECTIONS.clear()
    projection.SECTIONS.enabled = False
    try:
        return asyncio.run(statements(Compiler(schema), settings, document, variables))
    finally:
        projection.SECTIONS.enabled = True
        selection.PROJECTIONS.clear()


CASES = [
    *((d, v, None) for d, v in examples()),
    *((d, v, i) for i, (d, v) in enumerate(BENCH)),
    *((d, v, None) for d, v in GENERATED),
]


@pytest.mark.parametrize(
    ("document", "variables", "bench"),
    CASES,
    ids=[f"case-{i}" for i in range(len(CASES))],
)
def test_cached_statements_are_the_fresh_ones(
    settings: Settings,
    knowledge_graph: Driver,
    document: str,
    variables: dict[str, Any],
    bench: int | None,
) -> None:
    one, other = variables, second(document, variables, bench)
    expected = [fresh(settings, document, one), fresh(settings, document, other)]
    compiler = Compiler(schema)
    hits = projection.SECTIONS.hits

    async def warm() -> list[Statements]:
        return [
            await statements(compiler, settings, document, chosen)
            for chosen in (one, other, one, other)
        ]

    got = asyncio.run(warm())
    for built, wanted in zip(got, expected * 2, strict=True):
        assert [text for text, _ in built] == [text for text, _ in wanted]
        assert [params for _, params in built] == [params for _, params in wanted]
    if expected[0]:
        # The warm runs reused sections (the same statements, not just rebuilt ones).
        assert projection.SECTIONS.hits > hits


def test_the_selections_of_a_plan_are_built_once(
    settings: Settings, knowledge_graph: Driver
) -> None:
    """Selections with no variable below the root are shared; with one, built per request."""
    compiler = Compiler(schema)
    fixed = '{ node(id: "cuba") { ... on Country { name meetings(first: 2) { totalCount } } } }'
    varying = (
        'query Q($n: Int) { node(id: "cuba") { ... on Country { name meetings(first: $n) '
        "{ totalCount } } } }"
    )
    seen: list[Any] = []
    original = selection.project

    def spy(selections: Any, type_name: str) -> Any:
        chosen = list(selections)
        seen.append(chosen)
        return original(chosen, type_name)

    for document, runs in ((fixed, [{}, {}]), (varying, [{"n": 1}, {"n": 2}])):
        seen.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("schema.query.project", spy)
            got = [asyncio.run(statements(compiler, settings, document, v)) for v in runs]
        assert len(seen) == 2
        shared = all(a is b for a, b in zip(seen[0], seen[1], strict=True))
        assert shared == (document == fixed)
        if document == varying:
            # The nested page's size is the variable's: each request's own.
            assert got[0][0][1] != got[1][0][1]
