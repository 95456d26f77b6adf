"""Issue 11: no single request takes the API down or corrupts the graph.

Fragment-aware cost, bounded filters, the response budget (enforced in Cypher, so an
oversized response is never sent or held), bounded and multiprocess metrics, a coded
error for every client mistake (a generated walk over every argument of the schema),
upserts that cannot change a kind or an id or wipe aliases, /readyz answering
while the heaviest accepted requests run, and ingest bounded by its time budget.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, get_introspection_query, parse
from neo4j import Driver

from bench.api.operations import OPERATIONS
from diplograph.settings import Settings
from graph import reads
from graph.driver import connect_async
from graph.projection import Aggregate, Filter, NodeProjection, Page, Prop
from graph.reads import Reader, Statement
from graph.server import free_port
from loaders.ingest.budget import OverBudget, deadline
from loaders.ingest.candidates import analyse
from loaders.ingest.documents import prepare_text
from ops.hostile import CASES, fragment_fanout, names_heavy_text
from schema import metrics
from schema.api import schema as api_schema
from schema.context import Context
from schema.inputs import MAX_LIST
from schema.limits import (
    MAX_COST,
    MAX_FIELDS,
    MAX_INPUT_DEPTH,
    MAX_INPUT_OPERANDS,
    MAX_REPEATS,
    analyze,
    measure_value,
)
from schema.mutation import MAX_SIZES
from tests.conftest import API_TOKEN, LiveServer, graphql
from tests.faultkit import DIPLOGRAPH, ROOT, Counts, cli_env

pytestmark = pytest.mark.usefixtures("knowledge_graph")


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


# -- 1. cost that follows fragments ----------------------------------------------------------


def test_fragment_fan_out_is_refused_before_it_expands(api: httpx.Client) -> None:
    started = time.monotonic()
    body = graphql(api, fragment_fanout(8))  # 10^7 expansions in about 600 bytes
    assert time.monotonic() - started < 2.0
    assert codes(body) == ["QUERY_TOO_COSTLY"], body
    extensions = body["errors"][0]["extensions"]
    assert extensions["cost"] > 10_000_000 and extensions["limit"] == MAX_COST
    # Small fan-outs are still answered: the estimate counts, it does not forbid fragments.
    small = graphql(api, fragment_fanout(3))
    assert "errors" not in small and small["data"]["people"]["edges"]


def test_a_fan_out_under_the_cost_limit_is_refused_by_its_expanded_fields(
    api: httpx.Client,
) -> None:
    # 4 levels of 17 spreads of `name`: cost 4,916 (under the budget) but 4,916 fields for
    # graphql-core, Strawberry and the projection to walk; it held the event loop 5 s.
    started = time.monotonic()
    body = graphql(api, fragment_fanout(levels=4, spreads=17))
    assert time.monotonic() - started < 2.0
    assert codes(body) == ["QUERY_TOO_COSTLY"], body
    extensions = body["errors"][0]["extensions"]
    assert extensions["fields"] > MAX_FIELDS and extensions["limit"] == MAX_FIELDS
    # Every example of the guide and every bench operation stays well inside the limit.
    schema_ = api_schema._schema
    documents = [p.read_text() for p in Path("docs/examples").glob("*.graphql")]
    documents += [operation.ours for operation in OPERATIONS]
    documents.append(get_introspection_query(descriptions=True, input_value_deprecation=True))
    for text in documents:
        document = parse(text)
        for operation in document.definitions:
            if isinstance(operation, OperationDefinitionNode):
                measure = analyze(schema_, document.definitions, operation)
                assert measure.fields <= MAX_FIELDS // 4 and measure.cost <= MAX_COST, text


def test_many_fields_of_one_name_are_refused_before_graphql_core_gives_up(
    api: httpx.Client,
) -> None:
    # graphql-core compares each pair of fields of one response name (n² units of a
    # budget of 500,000 per document): 800 `__typename` ended its validation with a bare
    # "Validation aborted.". MAX_REPEATS comes first and says what to change, also when
    # the fields are in a fragment defined before the operation that spreads it.
    for document in (
        "{ " + "__typename " * 800 + "}",
        "fragment F on Query { " + "__typename " * 800 + "} { ...F }",
        "{ people { edges { node { ... on Person { " + "name " * 800 + "} } } } }",
        # Eight fragments of 100, spread side by side (hostile review 4).
        "{ "
        + " ".join(f"...F{i}" for i in range(8))
        + " } "
        + " ".join(f"fragment F{i} on Query {{ {'__typename ' * 100}}}" for i in range(8)),
    ):
        body = graphql(api, document)
        assert codes(body) == ["QUERY_TOO_COSTLY"], body
        error = body["errors"][0]
        assert error["extensions"]["repeats"] == 800, error
        assert error["extensions"]["limit"] == MAX_REPEATS
        assert (
            "in one selection set" in error["message"] and "ask for each field" in error["message"]
        )
    # At the limit: answered.
    body = graphql(api, "{ " + "__typename " * MAX_REPEATS + "}")
    assert body == {"data": {"__typename": "Query"}}, body


def test_introspection_is_costed_and_graphiqls_query_still_passes(api: httpx.Client) -> None:
    shallow = "__schema { types { name fields { name type { name ofType { name } } } } }"
    many = "{" + " ".join(f"a{i}: {shallow}" for i in range(30)) + "}"
    body = graphql(api, many)
    assert codes(body) == ["QUERY_TOO_COSTLY"], body
    assert body["errors"][0]["extensions"]["cost"] > MAX_COST
    # A deep `ofType` chain counts each level (depth bounds it, and expanded fields: 30
    # such chains are 1,080 fields, refused).
    chain = "name " + "ofType { name " * 17 + "}" * 17
    deep = "{" + " ".join(f'a{i}: __type(name: "Person") {{ {chain} }}' for i in range(30)) + "}"
    assert codes(graphql(api, deep)) == ["QUERY_TOO_COSTLY"]
    deep = "{" + " ".join(f'a{i}: __type(name: "Person") {{ {chain} }}' for i in range(20)) + "}"
    deep_body = graphql(api, deep)
    assert "errors" not in deep_body, deep_body
    measure = analyze(api_schema._schema, parse(deep).definitions,
                      parse(deep).definitions[0])  # type: ignore[arg-type]  # fmt: skip
    assert measure.cost >= 20 * 18
    # GraphiQL's own query is answered, the second time from the cache, identically.
    full = get_introspection_query(descriptions=True, input_value_deprecation=True)
    first = graphql(api, full)
    assert "errors" not in first and len(first["data"]["__schema"]["types"]) > 50
    started = time.monotonic()
    assert graphql(api, full) == first
    assert time.monotonic() - started < 1.0


def test_fragments_and_inline_fragments_carry_their_multipliers(api: httpx.Client) -> None:
    inner = "memberOf(first: 100) { edges { node { name } } }"
    inline = (
        "{ people(first: 100) { edges { node { ... on Person { led(first: 100) { edges "
        "{ node { ... on Actor { " + inner + " } } } } } } } } }"
    )
    named = (
        "{ people(first: 100) { edges { node { ...P } } } } "
        "fragment P on Person { led(first: 100) { edges { node { ...A } } } } "
        "fragment A on Actor { " + inner + " }"
    )
    for query in (inline, named):
        assert codes(graphql(api, query)) == ["QUERY_TOO_COSTLY"], query
    # The same fragments over small pages pass.
    cheap = named.replace("first: 100", "first: 5")
    assert "errors" not in graphql(api, cheap)


def test_large_texts_and_lists_count_by_size_class(api: httpx.Client) -> None:
    texts = "{ meetings(first: 100) { edges { node { sources { document { text } } } } } }"
    assert codes(graphql(api, texts)) == ["QUERY_TOO_COSTLY"]
    titles = texts.replace("text", "title")
    assert "errors" not in graphql(api, titles)
    ids = ", ".join(['"cuba"'] * 100)
    many_ids = (
        "{ a: nodes(ids: [" + ids + "]) { id ... on Entity { sources { document { text } } } } }"
    )
    assert "QUERY_TOO_COSTLY" in codes(graphql(api, many_ids))


def _cost(document: str) -> int:
    definitions = parse(document).definitions
    operation = definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return analyze(api_schema._schema, definitions, operation).cost


def test_page_variables_cost_as_the_largest_value_their_argument_takes(api: httpx.Client) -> None:
    """Hostile review 13r: `neighborhood(limit: $l)` was costed as a page of 100 while the
    field takes 500: `{"l": 500}` passed the check a literal 500 failed. A variable now
    costs what the largest literal does, and an argument left out what its default does."""
    sel = "nodes { ... on Actor { meetings(first: 100) { edges { node { name } } } } }"
    literal = '{ neighborhood(id: "united-states", depth: 2, limit: 500) { SEL } }'
    variable = 'query($l: Int) { neighborhood(id: "united-states", depth: 2, limit: $l) { SEL } }'
    literal, variable = literal.replace("SEL", sel), variable.replace("SEL", "%s")
    assert _cost(variable % sel) == _cost(literal) > MAX_COST
    by_literal, by_variable = graphql(api, literal), graphql(api, variable % sel, l=500)
    assert codes(by_literal) == codes(by_variable) == ["QUERY_TOO_COSTLY"], by_variable
    assert by_literal["errors"][0]["extensions"] == by_variable["errors"][0]["extensions"]
    # Under the budget both ways: the verdicts agree there too.
    small = sel.replace("first: 100", "first: 20")
    assert "errors" not in graphql(api, literal.replace(sel, small))
    assert "errors" not in graphql(api, variable % small, l=500)
    # Left out, `limit` is 50: costed as 50, not as a list of 10.
    assert _cost(literal.replace(", limit: 500", "")) == _cost(literal.replace("500", "50"))
    # `paths(first:)` takes at most 20: a variable costs as 20, not as a page of 100.
    paths = '{ paths(from: "cuba", to: "united-states", first: 20) { nodes { name } } }'
    paths_variable = 'query($f: Int!) { paths(from: "cuba", to: "united-states", first: $f) '
    assert _cost(paths_variable + "{ nodes { name } } }") == _cost(paths)


def test_where_size_is_bounded_in_literals_and_variables(api: httpx.Client) -> None:
    query = "query($w: EntityWhere) { people(where: $w) { totalCount } }"
    ors = {"OR": [{"text": f"zz{i}"} for i in range(1000)]}
    body = graphql(api, query, w=ors)
    assert codes(body) == ["QUERY_TOO_COSTLY"] and "operands" in body["errors"][0]["message"]
    deep: dict[str, Any] = {"text": "x"}
    for _ in range(MAX_INPUT_DEPTH):
        deep = {"NOT": deep}
    assert "nested too deeply" in graphql(api, query, w=deep)["errors"][0]["message"]
    ors_literal = ", ".join(f'{{text: "z{i}"}}' for i in range(MAX_INPUT_OPERANDS))
    literal = "{ people(where: {OR: [" + ors_literal + "]}) { totalCount } }"
    assert codes(graphql(api, literal)) == ["QUERY_TOO_COSTLY"]
    normal = {"OR": [{"text": "kelly"}, {"AND": [{"text": "rodr"}, {"NOT": {"text": "x"}}]}]}
    assert "errors" not in graphql(api, query, w=normal)


def test_list_variables_in_filters_count_as_operands(api: httpx.Client) -> None:
    """Hostile review 13r: `people(where: {ids: $i})` with 11,000 ids ran 1-2 s; only input
    object variables were measured. A list in a variable counts where it stands in an input
    object, item by item as written there, whichever path answers (and in fragments)."""
    ids = [f"x{i}" for i in range(1_000)]
    for query, value in (
        ("query($i: [ID!]) { people(where: {ids: $i}) { totalCount } }", ids),
        ("query($i: [String!]) { people(where: {name: {in: $i}}) { totalCount } }", ids),
        (
            "query($i: [ID!]) { meetings(where: {relationships: [{types: [ATTENDED], "
            "direction: IN, some: {ids: $i}}]}) { totalCount } }",
            ["cuba"] * 1_000,
        ),
        (
            "query($i: [ID!]) { ...F } fragment F on Query { people(where: {ids: $i}) "
            "{ totalCount } }",
            ids,
        ),
        (
            'query($i: [ID!]) { node(id: "cuba") { ... on Country { meetings(where: '
            "{participantWhere: {ids: $i}}) { totalCount } } } }",
            ids,
        ),
    ):
        body = graphql(api, query, i=value)
        assert codes(body) == ["QUERY_TOO_COSTLY"], (query, body)
        assert body["errors"][0]["extensions"]["operands"] == 1_000, body
        assert "operands" in body["errors"][0]["message"]
    # Within the bound: answered, as the same ids written in the document are.
    query = "query($i: [ID!]) { people(where: {ids: $i}) { totalCount } }"
    literal = "{ people(where: {ids: [" + ", ".join(['"cuba"'] * 150) + "]}) { totalCount } }"
    assert graphql(api, query, i=["cuba"] * 150) == graphql(api, literal)
    # A list that is an argument of its own is bounded by that argument's cap, not here.
    nodes = "query($i: [ID!]!) { nodes(ids: $i) { id } }"
    assert "errors" not in graphql(api, nodes, i=["cuba"] * 100)
    body = graphql(api, "query($i: [ID!]!) { meetingsBetween(actors: $i) { totalCount } }",
                   i=["cuba"] * 1_000)  # fmt: skip
    assert codes(body) == ["BAD_USER_INPUT"] and "'actors'" in str(body), body


def test_the_input_walk_is_generic_so_new_operators_count_too() -> None:
    # A filter operator that does not exist yet is counted like every other field.
    assert measure_value({"someNewOperator": [{"a": 1}, {"b": {"c": 2}}]}) == (6, 3)
    assert measure_value([{"x": [[{"y": 1}]]}]) == (5, 2)
    assert measure_value("plain") == (0, 0)


# -- statement texts: a request's values never change its Cypher text ----------------------


def _run_in_process(
    settings: Settings, driver: Driver, query: str, variables: dict[str, Any] | None = None
) -> tuple[list[str], Any]:
    """The Cypher texts a query ran (the reader's log), and its result."""

    async def run() -> tuple[list[str], Any]:
        reads_driver = connect_async(settings)
        try:
            reader = Reader(reads_driver, settings.neo4j_database, settings.query_timeout)
            context = Context(reader=reader, settings=settings, sync_driver=driver)
            result = await api_schema.execute(
                query, variable_values=variables, context_value=context
            )
            return reader.log.texts, result
        finally:
            await reads_driver.close()

    return asyncio.run(run())


def test_list_lengths_do_not_change_the_cypher_text(settings: Settings, driver: Driver) -> None:
    # Neo4j plans every new text anew (3-12 s for a large one): lists are parameters.
    pairs = [
        ('["craig-kelly", "dagoberto-rodriguez-barrera"]', '["craig-kelly"]'),
        ('["craig-kelly", "craig-kelly", "cuba"]', '["cuba"]'),
    ]
    between = "{ meetingsBetween(actors: %s) { totalCount edges { node { name } } } }"
    texts = {}
    for long, short in pairs:
        long_texts, long_result = _run_in_process(settings, driver, between % long)
        short_texts, short_result = _run_in_process(settings, driver, between % short)
        assert long_result.errors is None and short_result.errors is None
        assert long_texts == short_texts and len(long_texts) == 1
        texts[long] = long_result.data["meetingsBetween"]["totalCount"]
    # The answer is still the meetings every actor attended (both negotiators: the rounds).
    both = (
        '{ meetings(where: {AND: [{participant: "craig-kelly"}, '
        '{participant: "dagoberto-rodriguez-barrera"}]}) { totalCount } }'
    )
    expected = _run_in_process(settings, driver, both)[1].data["meetings"]["totalCount"]
    assert texts[pairs[0][0]] == expected >= 1
    rel = '{ node(id: "cuba") { ... on Entity { relationships(types: %s) { totalCount } } } }'
    one, _ = _run_in_process(settings, driver, rel % "[DISCUSSED]")
    many, result = _run_in_process(settings, driver, rel % "[DISCUSSED, HELD_IN, DISCUSSED]")
    assert one == many and result.errors is None
    where = '{ meetings(where: {relationships: [{some: {text: "a"}, types: %s}]}) { totalCount } }'
    assert (
        _run_in_process(settings, driver, where % "[HELD_IN]")[0]
        == _run_in_process(settings, driver, where % "[HELD_IN, DISCUSSED, HELD_IN]")[0]
    )
    ids = "{ people(where: {ids: %s}) { totalCount } }"
    assert (
        _run_in_process(settings, driver, ids % '["a"]')[0]
        == _run_in_process(settings, driver, ids % '["a", "b", "c"]')[0]
    )


def test_name_lists_are_capped_with_a_coded_error_naming_the_argument(api: httpx.Client) -> None:
    actors = ", ".join(['"cuba"'] * (MAX_LIST + 1))
    body = graphql(api, "{ meetingsBetween(actors: [" + actors + "]) { totalCount } }")
    assert codes(body) == ["BAD_USER_INPUT"] and "'actors'" in body["errors"][0]["message"]
    types = ", ".join(["DISCUSSED"] * (MAX_LIST + 1))
    query = '{ node(id: "cuba") { ... on Entity { relationships(types: [%s]) { totalCount } } } }'
    body = graphql(api, query % types)
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert "relationships(types:)" in body["errors"][0]["message"]
    # At the cap, duplicates and all, still answered.
    types = ", ".join(["DISCUSSED"] * MAX_LIST)
    assert "errors" not in graphql(api, query % types)


WALKS = (
    'query($t: [RelationshipType!], $x: [RelationshipType!]) { neighborhood(id: "cuba", '
    "types: $t, excludeTypes: $x) { totalNodes nodes { id } } }",
    'query($t: [RelationshipType!], $x: [RelationshipType!]) { paths(from: "cuba", '
    'to: "united-states", types: $t, excludeTypes: $x) { nodes { id } } }',
)


@pytest.mark.parametrize("query", WALKS, ids=["neighborhood", "paths"])
def test_walk_types_are_a_set_in_the_statement_text(
    settings: Settings, driver: Driver, query: str
) -> None:
    """Hostile review 13r: `neighborhood`/`paths` write their types into the pattern
    (`[:LED|MEMBER_OF*1..2]`); each count of a repeated `LED` was a new text that Neo4j
    planned for seconds (a StackOverflowError at 15,000), holding the worker's plan gate.
    Repeats and order no longer change the text, nor the answer."""
    one = _run_in_process(settings, driver, query, {"t": ["LED", "LED", "MEMBER_OF"]})
    other = _run_in_process(settings, driver, query, {"t": ["MEMBER_OF", "LED"]})
    assert one[1].errors is None and other[1].errors is None, (one[1].errors, other[1].errors)
    assert one[0] == other[0] and len(one[0]) == 1
    assert one[1].data == other[1].data
    assert ":LED|MEMBER_OF*" in one[0][0]
    excluded = _run_in_process(settings, driver, query, {"x": ["PART_OF", "LED", "PART_OF"]})
    assert excluded[0] == _run_in_process(settings, driver, query, {"x": ["LED", "PART_OF"]})[0]


@pytest.mark.parametrize("query", WALKS, ids=["neighborhood", "paths"])
def test_walk_type_lists_are_capped_in_variables_too(
    settings: Settings, driver: Driver, api: httpx.Client, query: str
) -> None:
    """12,000 `LED` in a variable (15,000 in the review; the token limit bounds only a
    literal): refused with the documented code, naming the argument, before any statement
    runs."""
    for name, argument in (("t", "types"), ("x", "excludeTypes")):
        body = graphql(api, query, **{name: ["LED"] * 12_000})
        assert codes(body) == ["BAD_USER_INPUT"], body
        assert f"'{argument}' lists 12000 items; at most {MAX_LIST}" in body["errors"][0]["message"]
        texts, result = _run_in_process(settings, driver, query, {name: ["LED"] * (MAX_LIST + 1)})
        assert texts == [] and result.errors, result
    # At the cap, duplicates and all, still answered.
    assert "errors" not in graphql(api, query, t=["LED"] * MAX_LIST, x=["PART_OF"] * MAX_LIST)


def test_relationship_filter_types_and_kinds_are_capped_in_variables_too(api: httpx.Client) -> None:
    where = (
        "query($t: [RelationshipType!]) { meetings(where: {relationships: "
        "[{types: $t, some: {}}]}) { totalCount } }"
    )
    body = graphql(api, where, t=["HELD_IN"] * (MAX_LIST + 1))
    assert codes(body) == ["BAD_USER_INPUT"] and "'relationships.types'" in str(body), body
    assert "errors" not in graphql(api, where, t=["HELD_IN"] * MAX_LIST)
    kinds = 'query($k: [String!]) { neighborhood(id: "cuba", kinds: $k) { totalNodes } }'
    body = graphql(api, kinds, k=["Person"] * (MAX_LIST + 1))
    assert codes(body) == ["BAD_USER_INPUT"] and "'kinds'" in str(body), body
    nested = (
        'query($t: [RelationshipType!]) { node(id: "cuba") { ... on Entity { '
        "relationships(types: $t) { totalCount } } } }"
    )
    body = graphql(api, nested, t=["DISCUSSED"] * 5_000)
    assert codes(body) == ["BAD_USER_INPUT"] and "relationships(types:)" in str(body), body


def test_an_empty_list_of_types_to_keep_is_refused_and_one_to_leave_out_is_no_filter(
    api: httpx.Client,
) -> None:
    """Hostile re-review: `types: []` read as every type, as `kinds: []` once did."""
    walk = (
        "query($t: [RelationshipType!], $x: [RelationshipType!]) { "
        'neighborhood(id: "cuba", types: $t, excludeTypes: $x) { totalNodes } }'
    )
    body = graphql(api, walk, t=[])
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert "'types' must name at least one relationship type" in body["errors"][0]["message"]
    unfiltered = graphql(api, walk)
    assert graphql(api, walk, x=[]) == unfiltered and "errors" not in unfiltered
    kept = (
        "query($t: [RelationshipType!]) { meetings(where: {relationships: "
        "[{types: $t, some: {}}]}) { totalCount } }"
    )
    body = graphql(api, kept, t=[])
    assert codes(body) == ["BAD_USER_INPUT"] and "'relationships.types'" in str(body), body
    nested = (
        'query($t: [RelationshipType!]) { node(id: "cuba") { ... on Entity { '
        "relationships(types: $t) { totalCount } } } }"
    )
    body = graphql(api, nested, t=[])
    assert codes(body) == ["BAD_USER_INPUT"] and "relationships(types:)" in str(body), body


def nested_relationships(levels: int) -> str:
    where = '{text: "zzqqxx"}'
    for _ in range(levels):
        where = f"{{relationships: [{{direction: BOTH, some: {where}}}]}}"
    return f"{{ countries(where: {where}) {{ totalCount }} }}"


def test_relationship_filters_nest_at_most_two_levels(api: httpx.Client) -> None:
    """Hostile review: three levels of `relationships.some` (300 bytes, cost 1) kept Neo4j
    busy until the query timeout every time, and many at once kept it busy for others."""
    assert graphql(api, nested_relationships(2))["data"]["countries"]["totalCount"] == 0
    body = graphql(api, nested_relationships(3))
    assert codes(body) == ["QUERY_TOO_COSTLY"], body
    assert "nest 3 levels deep; at most 2" in body["errors"][0]["message"]
    # Inside AND/OR/NOT too.
    hidden = nested_relationships(3).replace("countries(where: ", "countries(where: {AND: [")
    body = graphql(api, hidden.replace(") { totalCount", "]}) { totalCount"))
    assert codes(body) == ["QUERY_TOO_COSTLY"], body


def nested_participants(levels: int) -> str:
    where = '{text: "x"}'
    for _ in range(levels):
        where = f"{{participantWhere: {where}}}"
    return where


def test_participant_filters_count_as_levels_of_relationship_filters(api: httpx.Client) -> None:
    """Hostile review 13r: `participantWhere` walks from a meeting to its participants (the
    participation patterns) but counted as no level: four nested took over 10 s of Neo4j's
    CPU, and it let `relationships` filters past their two levels."""
    meetings = "{ meetings(where: %s) { totalCount } }"
    assert "errors" not in graphql(api, meetings % nested_participants(2))
    for levels in (3, 4):
        body = graphql(api, meetings % nested_participants(levels))
        assert codes(body) == ["QUERY_TOO_COSTLY"], body
        message = body["errors"][0]["message"]
        assert f"nest {levels} levels deep; at most 2" in message, message
        assert " > ".join(["participantWhere"] * levels) in message, message
    # Mixed with `relationships`: each counts, whichever is outside.
    two = '{participantWhere: {relationships: [{some: {text: "x"}}]}}'
    assert "errors" not in graphql(api, meetings % two)
    three = '{participantWhere: {relationships: [{some: {participantWhere: {text: "x"}}}]}}'
    body = graphql(api, meetings % three)
    assert codes(body) == ["QUERY_TOO_COSTLY"], body
    assert "participantWhere > relationships > participantWhere" in body["errors"][0]["message"]
    three = '{relationships: [{some: {participantWhere: {participantWhere: {text: "x"}}}}]}'
    body = graphql(api, meetings % three)
    assert "relationships > participantWhere > participantWhere" in str(body), body
    # Under NOT, in a variable, and in a nested connection's `where` (at its own path).
    hidden = {"NOT": {"OR": [{"participantWhere": {"participantWhere": {
        "participantWhere": {"text": "x"}}}}]}}  # fmt: skip
    query = "query($w: EntityWhere) { meetings(where: $w) { totalCount } }"
    assert codes(graphql(api, query, w=hidden)) == ["QUERY_TOO_COSTLY"]
    nested = '{ node(id: "cuba") { ... on Country { meetings(where: W) { totalCount } } } }'
    body = graphql(api, nested.replace("W", nested_participants(3)))
    assert codes(body) == ["QUERY_TOO_COSTLY"] and body["errors"][0]["path"] == [
        "node",
        "meetings",
    ], body


# -- 2. the response budget ------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_budget(settings: Settings, driver: Driver) -> Iterator[httpx.Client]:
    budget = settings.model_copy(update={"max_response_bytes": 2_000})
    with LiveServer(budget) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        yield client


def test_a_response_over_the_budget_is_refused_with_nothing_of_it(
    small_budget: httpx.Client, api: httpx.Client
) -> None:
    query = "{ documents(first: 30) { edges { node { slug text } } } }"
    assert "errors" not in graphql(api, query)  # under the default budget: answered
    response = small_budget.post("/graphql", json={"query": query})
    body = response.json()
    assert response.status_code == 200 and body["data"] is None, body
    assert codes(body) == ["RESPONSE_TOO_LARGE"]
    assert body["errors"][0]["extensions"]["limit"] == 2_000
    assert body["errors"][0]["extensions"]["estimate"] > 2_000
    # 30 aliases: the budget is shared, so the request fails as a whole, never in pieces.
    aliased = (
        "{ "
        + " ".join(
            f"a{i}: documents(first: 3) {{ edges {{ node {{ text }} }} }}" for i in range(30)
        )
        + " }"
    )
    body = small_budget.post("/graphql", json={"query": aliased}).json()
    assert body["data"] is None and codes(body) == ["RESPONSE_TOO_LARGE"]
    assert "errors" not in graphql(
        small_budget, "{ documents(first: 2) { edges { node { slug title } } } }"
    )


def read_one(settings: Settings, statement: Statement, budget: int | None) -> dict[str, Any]:
    """One statement run through the API's reader, under a response budget."""

    async def run() -> dict[str, Any]:
        driver = connect_async(settings)
        try:
            return await Reader(driver, settings.neo4j_database, 10).one(statement, budget)
        finally:
            await driver.close()

    return asyncio.run(run())


def test_neo4j_sends_nothing_of_a_statement_over_the_budget(settings: Settings) -> None:
    projection = NodeProjection([("text", Prop("text")), ("title", Prop("title"))])
    statement = reads.list_entities(("Document",), Filter(), [], Page(limit=30), projection, True)

    full = read_one(settings, statement, None)
    sent = sum(len(i["node"]["text"]) + len(i["node"]["title"]) for i in full["items"])
    assert sent <= full["bytes"] < 2 * sent + 20_000  # the estimate is close, not below
    refused = read_one(settings, statement, 1_000)
    assert refused["items"] is None and refused["total"] == full["total"]
    assert refused["bytes"] == full["bytes"]


def test_measures_are_bounded_and_unknown_ids_still_reported(settings: Settings) -> None:
    # Aggregate columns count toward the budget like the items; `unknownIds` is never cut.
    aggregate = Aggregate([("count", "count", 10), ("years", "byYear", 10)])
    where = Filter(country="no-such-country")
    projection = NodeProjection([("name", Prop("name"))])
    statement = reads.list_entities(
        ("Meeting",), where, [], Page(limit=5), projection, True, aggregate
    )

    full = read_one(settings, statement, None)
    assert full["unknownIds"] == ["no-such-country"]
    assert full["aggregate"] == {"count": 0, "years": []} and full["items"] == []
    refused = read_one(settings, statement, 1)
    assert refused["unknownIds"] == ["no-such-country"] and refused["total"] == 0
    assert refused["items"] is None and refused["aggregate"] == {"years": None}
    assert refused["bytes"] == full["bytes"] > 40


# -- 3. bounded, multiprocess metrics ---------------------------------------------------------


def operation_labels(text: str) -> set[str]:
    return set(re.findall(r'diplograph_graphql_requests_total\{operation="([^"]*)"', text))


@pytest.fixture
def fresh_labels() -> Iterator[None]:
    saved = set(metrics.LABELS.admitted)
    yield
    metrics.LABELS.admitted = saved


@pytest.mark.usefixtures("fresh_labels")
def test_operation_labels_are_bounded(api: httpx.Client) -> None:
    before = len(api.get("/metrics").content)
    for i in range(metrics.MAX_OPERATIONS + 150):
        graphql(api, f"query Unique{i}x{'y' * 40} {{ __typename }}")
    graphql(api, "query " + "L" * 5_000 + " { __typename }")
    text = api.get("/metrics").text
    labels = operation_labels(text)
    assert "other" in labels
    assert len(labels - {"other", "anonymous"}) <= metrics.MAX_OPERATIONS
    assert not any(len(label) > metrics.MAX_NAME_LENGTH for label in labels)
    # Each admitted name costs a few kB of series; the total stays bounded.
    assert len(text.encode()) < before + metrics.MAX_OPERATIONS * 8_000


@contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`diplograph serve` on a free port, once it answers; stopped (SIGTERM) afterwards."""
    port = free_port()
    server = subprocess.Popen(
        [str(DIPLOGRAPH), "serve", "--port", str(port), *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=10).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.communicate()
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)
        yield url, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def counted_requests(text: str, operation: str) -> float:
    series = rf'diplograph_graphql_requests_total\{{operation="{operation}",outcome="ok"\}}'
    pattern = rf"^{series} (\S+)$"
    return sum(float(m.group(1)) for m in re.finditer(pattern, text, re.M))


def send_on_new_connections(url: str, n: int, operation: str) -> None:
    """`n` requests, each on its own connection: the kernel spreads them over the workers."""
    for _ in range(n):
        with httpx.Client(base_url=url, timeout=10) as one:
            graphql(one, f"query {operation} {{ __typename }}")


def test_metrics_aggregate_every_worker(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "stale.db").write_bytes(b"from an earlier run")
    env = {**cli_env(settings), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    with serving(env, "--workers", "2") as (url, _):
        send_on_new_connections(url, 40, "Counted")
        text = httpx.get(f"{url}/metrics", timeout=10).text
        assert counted_requests(text, "Counted") == 40.0, text[-2000:]
        files = {f.name for f in tmp_path.glob("*.db")}
        assert "stale.db" not in files and len(files) >= 2  # each worker wrote its own file


def test_serve_with_workers_counts_every_request_in_every_scrape(settings: Settings) -> None:
    # No PROMETHEUS_MULTIPROC_DIR: serve makes a private one. Each scrape lands on whichever
    # worker accepts it, and each must report the requests of both.
    env = {k: v for k, v in cli_env(settings).items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    with serving(env, "--workers", "2") as (url, server):
        send_on_new_connections(url, 30, "Spread")
        for _ in range(12):
            text = httpx.get(f"{url}/metrics", timeout=10).text
            assert counted_requests(text, "Spread") == 30.0, text[-2000:]
        # Each worker admits its share of the operation labels: summed, still bounded.
        for i in range(metrics.MAX_OPERATIONS + 20):
            send_on_new_connections(url, 1, f"Unique{i}")
        labels = operation_labels(httpx.get(f"{url}/metrics", timeout=10).text)
        assert "other" in labels
        assert len(labels - {"other", "anonymous"}) <= metrics.MAX_OPERATIONS, sorted(labels)
    out = server.stdout.read() if server.stdout else ""
    kept = re.search(r"Metrics of 2 worker\(s\) kept in (\S+)", out)
    assert kept, out
    assert not Path(kept.group(1)).exists()  # removed when serve stopped


def test_serve_logs_a_line_per_request_unless_told_not_to(settings: Settings) -> None:
    for flags, logged in (((), True), (("--no-access-log",), False)):
        with (
            serving(cli_env(settings), "--workers", "1", *flags) as (url, server),
            httpx.Client(base_url=url, timeout=10) as client,
        ):
            graphql(client, "query Logged { __typename }")
        out = server.stdout.read() if server.stdout else ""
        assert ('"POST /graphql HTTP/1.1" 200' in out) is logged, (flags, out[-2000:])


# -- 4. every client mistake is coded ----------------------------------------------------------

INTROSPECTION = """{ __schema { queryType { name } mutationType { name } types { name kind
  fields { name args { name type { ...T } } type { ...T } } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"""

BAD_SCALARS: dict[str, list[Any]] = {
    "Int": ["abc", 1e308, 2**40, 1.5, True, {"a": 1}],
    "Float": ["abc", [1], {"a": 1}],
    "String": [123, True, {"a": 1}, ["a"]],
    "ID": [1.5, True, {"a": 1}],
    "Boolean": ["yes", 0, {"a": 1}],
    "Date": ["2010-02-30", "yesterday", 20100101, {"a": 1}],
    "JSON": [],  # any JSON value is a JSON
}


def type_ref(t: dict[str, Any]) -> str:
    if t["kind"] == "NON_NULL":
        return type_ref(t["ofType"]) + "!"
    if t["kind"] == "LIST":
        return "[" + type_ref(t["ofType"]) + "]"
    return str(t["name"])


def named(t: dict[str, Any]) -> dict[str, Any]:
    while t.get("ofType"):
        t = t["ofType"]
    return t


def bad_values(t: dict[str, Any]) -> list[Any]:
    base = named(t)
    if base["kind"] == "SCALAR":
        values = list(BAD_SCALARS[base["name"]])
    elif base["kind"] == "ENUM":
        values = ["NOPE", 1]
    else:
        values = [{"nope": 1}, "text", [{"dateFrom": "2010-02-30"}], {"dateFrom": "x"}]
    if "LIST" in type_ref(t) or "[" in type_ref(t):
        values += [[v] for v in values[:2]]
    return [*values, None] if t["kind"] == "NON_NULL" else values


def test_every_argument_of_the_schema_refuses_bad_values_with_a_code(api: httpx.Client) -> None:
    types = {t["name"]: t for t in graphql(api, INTROSPECTION)["data"]["__schema"]["types"]}
    sent = 0
    for type_name, type_ in types.items():
        if type_name.startswith("__") or type_["kind"] not in {"OBJECT", "INTERFACE"}:
            continue
        for field in type_["fields"] or []:
            for arg in field["args"]:
                selection = "" if named(field["type"])["kind"] in {"SCALAR", "ENUM"} else (
                    " { __typename }"
                )  # fmt: skip
                call = f"{field['name']}({arg['name']}: $v){selection}"
                if type_name == "Query":
                    query = f"query($v: {type_ref(arg['type'])}) {{ {call} }}"
                elif type_name == "Mutation":
                    query = f"mutation($v: {type_ref(arg['type'])}) {{ {call} }}"
                else:
                    query = (
                        f'query($v: {type_ref(arg["type"])}) {{ node(id: "cuba") '
                        f"{{ ... on {type_name} {{ {call} }} }} }}"
                    )
                for value in bad_values(arg["type"]):
                    response = api.post(
                        "/graphql", json={"query": query, "variables": {"v": value}},
                        headers={"authorization": f"Bearer {API_TOKEN}"},
                    )  # fmt: skip
                    sent += 1
                    assert response.status_code < 500, (query, value, response.text)
                    found = codes(response.json())
                    assert found and "INTERNAL_SERVER_ERROR" not in found, (query, value, found)
    assert sent > 200


@pytest.mark.parametrize(
    "case",
    [
        'Int "abc"', "Int 1e308", "Date 2010-02-30", "unknown enum", "5,001-digit Int",
        "lone surrogate", "8 KB name", 'JSON "hello"', "JSON null", "invalid UTF-8",
    ],
)  # fmt: skip
def test_the_issues_client_mistakes_are_coded(api: httpx.Client, case: str) -> None:
    body = CASES[case](None)  # type: ignore[arg-type]
    if isinstance(body, bytes):
        response = api.post("/graphql", content=body, headers={"content-type": "application/json"})
    else:
        response = api.post("/graphql", json=body)
    assert response.status_code in (200, 400), response.text
    found = codes(response.json())
    assert found and set(found) <= {"BAD_USER_INPUT", "BAD_REQUEST", "QUERY_TOO_COSTLY"}, found
    assert len(response.content) < 2_000  # the message does not echo a huge input back


def test_a_fuzzy_search_of_many_words_answers(api: httpx.Client, driver: Driver) -> None:
    """Hostile review: seven four-letter words with `match: FUZZY` over the historian's
    vocabulary ended in INTERNAL_SERVER_ERROR (Lucene's TooManyClauses: each fuzzy word is
    up to 50 clauses in each of the index's three fields, 1,024 at most in all). Here a
    vocabulary of 676 words, each within two edits of every word asked, stands in for the
    historian's names."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = [f"kv{a}{b}" for a in letters for b in letters]
    rows = [
        {"id": f"test-fuzzy-{i}", "name": f"Fuzzy Vocabulary {i}",
         "description": " ".join(words[i::8])}
        for i in range(8)
    ]  # fmt: skip
    write = "UNWIND $rows AS r CREATE (n:Entity:Organization) SET n = r, n.aliasText = ''"
    driver.execute_query(write, rows=rows)
    try:
        asked = " ".join(f"kv{c}{c}" for c in letters)  # 26 words: 1,300 clauses unbounded
        body = graphql(
            api, "query($q: String!) { search(query: $q, match: FUZZY, first: 3) "
            "{ totalCount edges { node { id } } } }", q=asked,
        )  # fmt: skip
        assert "errors" not in body, body
        assert body["data"]["search"]["totalCount"] >= len(rows)
    finally:
        driver.execute_query("MATCH (n:Entity) WHERE n.id STARTS WITH 'test-fuzzy-' DELETE n")


@pytest.mark.parametrize(
    "body",
    [
        b"123", b"[]", b'"x"', b"true", b'{"query": "\\udfff"}',
        # Hostile review: Python's decoder takes these; JSON has no such numbers.
        b'{"query": "{ __typename }", "variables": {"n": NaN}}',
        b'{"query": "{ __typename }", "variables": {"n": -Infinity}}',
    ],
)  # fmt: skip
def test_non_object_bodies_and_bad_unicode_are_400(api: httpx.Client, body: bytes) -> None:
    response = api.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert codes(response.json()) == ["BAD_REQUEST"]


def test_a_cursor_is_only_the_form_the_api_writes() -> None:
    """Hostile review: "cursor: 3", "cursor:+3", "cursor:1_000" and an Arabic-Indic digit
    were taken as offsets (Python's int() is lenient)."""
    from schema.errors import BadUserInput
    from schema.selection import decode_cursor, encode_cursor

    assert decode_cursor(encode_cursor(1000)) == 1000
    for odd in ("cursor: 3", "cursor:+3", "cursor:1_000", "cursor:\u0663", "cursor:03", "cursor:"):
        with pytest.raises(BadUserInput, match="invalid cursor"):
            decode_cursor(base64.b64encode(odd.encode()).decode())


# -- 5. upserts that cannot corrupt ------------------------------------------------------------

UPSERT = "mutation($f: JSON!) { upsertKnowledge(facts: $f) { created { label count } } }"
AUTH = {"authorization": f"Bearer {API_TOKEN}"}
SOURCE = [{"document": "advancing-the-dialogue-with-cuba", "quote": "Cuba"}]


def entity(driver: Driver, settings: Settings, id_: str) -> dict[str, Any]:
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity) WHERE n.id = $id RETURN labels(n) AS labels, properties(n) AS props",
        id=id_, database_=settings.neo4j_database,
    )  # fmt: skip
    assert len(records) == 1, records
    return {"labels": sorted(records[0]["labels"]), **records[0]["props"]}


def test_upsert_refuses_a_kind_change(
    api: httpx.Client, loaded_db: Driver, settings: Settings
) -> None:
    before = entity(loaded_db, settings, "cuba")
    facts = {"entities": [{"id": "cuba", "kind": "Person", "name": "Cuba", "sources": SOURCE}]}
    body = graphql(api, UPSERT, headers=AUTH, f=facts)
    assert codes(body) == ["BAD_USER_INPUT"] and "kind cannot change" in body["errors"][0][
        "message"
    ], body  # fmt: skip
    assert entity(loaded_db, settings, "cuba") == before


def test_upsert_refuses_an_id_in_properties(
    api: httpx.Client, loaded_db: Driver, settings: Settings
) -> None:
    before = entity(loaded_db, settings, "cuba")
    facts = {"entities": [{"id": "cuba", "kind": "Country", "name": "Cuba", "sources": SOURCE,
                           "properties": {"id": "hijacked"}}]}  # fmt: skip
    body = graphql(api, UPSERT, headers=AUTH, f=facts)
    assert codes(body) == ["BAD_USER_INPUT"] and "'id'" in body["errors"][0]["message"], body
    assert entity(loaded_db, settings, "cuba") == before


def test_a_partial_record_changes_only_the_fields_it_names(
    api: httpx.Client, loaded_db: Driver, settings: Settings
) -> None:
    before = entity(loaded_db, settings, "craig-kelly")
    assert before["aliases"], before
    facts = {"entities": [{"id": "craig-kelly", "kind": "Person", "name": before["name"],
                           "description": "Changed by a partial upsert.",
                           "sources": SOURCE}]}  # fmt: skip
    body = graphql(api, UPSERT, headers=AUTH, f=facts)
    assert "errors" not in body, body
    after = entity(loaded_db, settings, "craig-kelly")
    assert after["aliases"] == before["aliases"] and after["aliasText"] == before["aliasText"]
    assert after["description"] == "Changed by a partial upsert."
    assert {k: v for k, v in after.items() if k not in {"description", "sources", "quotes"}} == {
        k: v for k, v in before.items() if k not in {"description", "sources", "quotes"}
    }
    # Naming the aliases replaces them.
    facts["entities"][0]["aliases"] = ["C. Kelly"]
    assert "errors" not in graphql(api, UPSERT, headers=AUTH, f=facts)
    assert entity(loaded_db, settings, "craig-kelly")["aliases"] == ["C. Kelly"]


def test_a_new_entity_without_aliases_lists_with_an_empty_list(
    api: httpx.Client, loaded_db: Driver, settings: Settings
) -> None:
    facts = {"entities": [{"id": "no-aliases-person", "kind": "Person", "name": "Ana Sinalias",
                           "sources": SOURCE}]}  # fmt: skip
    assert "errors" not in graphql(api, UPSERT, headers=AUTH, f=facts)
    assert entity(loaded_db, settings, "no-aliases-person")["aliases"] == []
    body = graphql(api, '{ people(where: {text: "Sinalias"}) { edges { node { aliases } } } }')
    assert body == {"data": {"people": {"edges": [{"node": {"aliases": []}}]}}}, body


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"properties": {"x": 10**30}}, "64 bits"),
        ({"name": "A\u0000B"}, "control character"),
        ({"aliases": ["ok", "bell\u0007"]}, "control character"),
        ({"date": {"value": "2010", "precision": "day"}}, "Extra inputs are not permitted"),
        ({"date": "0000"}, "not a real date"),
        ({"date": "2010-00"}, "not a real date"),
        ({"date": "2010-01-00"}, "not a real date"),
        ({"name": "   "}, "blank"),
        ({"aliases": ["", " "]}, "blank"),
        ({"description": "a\u0000b"}, "control character"),
        # Properties the API reads as typed fields (issue 11 review: a later read failed).
        ({"kind": "Term", "properties": {"quantity": "abc"}}, "'quantity' must be a number"),
        ({"kind": "Term", "properties": {"quantity": True}}, "'quantity' must be a number"),
        ({"kind": "Term", "properties": {"unit": 3}}, "'unit' must be a string"),
        ({"properties": {"candidate": "yes"}}, "'candidate' must be true or false"),
        ({"properties": {"mergedInto": "cuba"}}, "managed by diplograph"),
        ({"properties": {"hsgHashes": "x"}}, "managed by diplograph"),
        ({"properties": {"ID": "x", "Name": "Evil"}}, "managed by diplograph"),
        ({"date": {"value": "2010", "basis": "b" * 10_001}}, "'date.basis' has 10001"),
    ],
)
def test_values_neo4j_or_a_screen_cannot_hold_are_refused(
    api: httpx.Client, loaded_db: Driver, settings: Settings, change: dict[str, Any], message: str
) -> None:
    record = {"id": "odd-values", "kind": "Person", "name": "Odd Values", "sources": SOURCE}
    body = graphql(api, UPSERT, headers=AUTH, f={"entities": [record | change]})
    assert codes(body) == ["BAD_USER_INPUT"] and message in body["errors"][0]["message"], body
    records, _, _ = loaded_db.execute_query(
        "MATCH (n:Entity {id: 'odd-values'}) RETURN count(n) AS n",
        database_=settings.neo4j_database,
    )
    assert records[0]["n"] == 0


def test_typed_properties_of_the_right_type_read_back(
    api: httpx.Client, loaded_db: Driver, settings: Settings
) -> None:
    record = {"id": "typed-term", "kind": "Term", "name": "Typed Term", "sources": SOURCE,
              "properties": {"quantity": 2.5, "unit": "tons", "period": "yearly"}}  # fmt: skip
    assert "errors" not in graphql(api, UPSERT, headers=AUTH, f={"entities": [record]})
    body = graphql(api, '{ node(id: "typed-term") { ... on Term { quantity unit period } } }')
    assert body == {"data": {"node": {"quantity": 2.5, "unit": "tons", "period": "yearly"}}}


def test_a_relationship_key_over_its_size_is_refused(
    api: httpx.Client, loaded_db: Driver, settings: Settings
) -> None:
    before = Counts.of(loaded_db, settings.neo4j_database)
    edge = {"type": "VISITED", "from": "craig-kelly", "to": "cuba", "key": "k" * 1_001,
            "sources": SOURCE}  # fmt: skip
    body = graphql(api, UPSERT, headers=AUTH, f={"relationships": [edge]})
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert "relationships[0]: 'key' has 1001 characters; at most 1000" in str(body), body
    assert Counts.of(loaded_db, settings.neo4j_database) == before


def test_a_number_beyond_floats_in_a_literal_is_refused(api: httpx.Client) -> None:
    source = f'{{document: "{SOURCE[0]["document"]}", quote: "{SOURCE[0]["quote"]}"}}'
    mutation = (
        'mutation { upsertKnowledge(facts: {entities: [{id: "odd-values", kind: "Person", '
        f'name: "Odd Values", properties: {{x: -1e400}}, sources: [{source}]}}]}})'
        " { created { label count } } }"
    )
    body = graphql(api, mutation, headers=AUTH)
    assert codes(body) == ["BAD_USER_INPUT"] and "finite" in str(body), body
    # The same number in the variables' JSON (which reads it as -infinity).
    record = {"id": "odd-values", "kind": "Person", "name": "Odd Values", "sources": SOURCE,
              "properties": {"x": 0}}  # fmt: skip
    text = json.dumps({"query": UPSERT, "variables": {"f": {"entities": [record]}}})
    sent = api.post("/graphql", content=text.replace('"x": 0', '"x": -1e400'),
                    headers={**AUTH, "content-type": "application/json"})  # fmt: skip
    assert codes(sent.json()) == ["BAD_USER_INPUT"] and "finite" in sent.text, sent.text


def test_a_cursor_beyond_any_list_is_a_coded_error(api: httpx.Client) -> None:
    huge = base64.b64encode(b"cursor:9223372036854775807000").decode()
    for query in (
        "query($a: String) { meetings(first: 1, after: $a) { totalCount } }",
        "query($a: String) { documents(first: 1, after: $a) { totalCount } }",
    ):
        body = graphql(api, query, a=huge)
        assert codes(body) == ["BAD_USER_INPUT"] and "invalid cursor" in str(body), body


def test_ingest_refuses_a_url_that_is_no_web_address(api: httpx.Client) -> None:
    mutation = "mutation($t: String!, $u: String) { ingestDocument(text: $t, url: $u) { slug } }"
    text = "Talks resume\n\nThe delegations of Chile and Peru met in Lima on Monday."
    body = graphql(api, mutation, headers=AUTH, t=text, u="javascript:alert(1)")
    assert codes(body) == ["BAD_USER_INPUT"] and "http(s)" in str(body), body
    # Longer than Neo4j indexes (was an internal error from the url index).
    body = graphql(api, mutation, headers=AUTH, t=text, u="https://example.org/" + "a" * 20_000)
    assert codes(body) == ["BAD_USER_INPUT"] and "at most 2,000" in str(body), body


@pytest.mark.parametrize(
    ("field", "size"),
    [("name", MAX_SIZES["name"] + 1), ("name", 9_000), ("description", MAX_SIZES["text"] + 1)],
)
def test_oversized_names_and_texts_are_refused(
    api: httpx.Client, loaded_db: Driver, settings: Settings, field: str, size: int
) -> None:
    record = {"id": "big-one", "kind": "Person", "name": "Big One", "sources": SOURCE}
    record[field] = "x" * size
    body = graphql(api, UPSERT, headers=AUTH, f={"entities": [record]})
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert f"at most {MAX_SIZES['name' if field == 'name' else 'text']}" in body["errors"][0][
        "message"
    ]  # fmt: skip
    records, _, _ = loaded_db.execute_query(
        "MATCH (n {id: 'big-one'}) RETURN count(n) AS n", database_=settings.neo4j_database
    )
    assert records[0]["n"] == 0


# -- 7. /readyz while the heaviest accepted requests run ----------------------------------------

PEOPLE = (
    "people(first: 100) {DIRECTIVE} {{ edges {{ node {{ name aliases description "
    "positions(first: 40) {{ edges {{ title node {{ name }} }} }} meetings(first: 40) "
    "{{ edges {{ node {{ name }} }} }} }} }} }}"
)
# Each with the error codes it answers: the large reads that went through graphql-core's
# completion on the event loop (a directive, a failing root beside, `__typename` at the root).
HEAVY: list[tuple[str, set[str]]] = [
    ("{ documents(first: 100) { edges { node { slug title text } } } }", set()),
    ("{ " + PEOPLE.format(DIRECTIVE="") + " }", set()),
    ("{ " + PEOPLE.format(DIRECTIVE="@include(if: true)") + " }", set()),
    (
        "{ " + PEOPLE.format(DIRECTIVE="") + ' bad: node(id: "cuba") { ... on Country '
        '{ meetings(after: "x") { totalCount } } } }',
        {"BAD_USER_INPUT"},
    ),
    ("{ __typename " + PEOPLE.format(DIRECTIVE="") + " }", set()),
    (
        '{ neighborhood(id: "cuba", depth: 3, limit: 500) { nodes { name slug aliases } '
        "edges { from to type sources { quote } } } }",
        set(),
    ),
    (fragment_fanout(3, 31), set()),  # the widest fan-out accepted: 964 fields expanded
    # GraphiQL's, never cached (each round's comment makes a new document).
    (get_introspection_query(descriptions=True) + "\n# round {round}", set()),
]


def test_readyz_answers_while_the_heaviest_accepted_requests_run(api: httpx.Client) -> None:
    stop = threading.Event()
    latencies: dict[str, list[float]] = {"/readyz": [], "/healthz": []}

    def poll() -> None:
        with httpx.Client(base_url=str(api.base_url), timeout=10) as client:
            client.get("/readyz")  # the connection itself is not what is measured
            while not stop.is_set():
                for path, seen in latencies.items():
                    started = time.monotonic()
                    assert client.get(path).status_code == 200, path
                    seen.append(time.monotonic() - started)
                stop.wait(0.02)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        rounds = 0
        while rounds < 3 or (len(latencies["/healthz"]) < 40 and rounds < 50):
            for query, expected in HEAVY:
                body = graphql(api, query.replace("{round}", str(rounds)))
                assert codes(body) == sorted(expected), (query, body.get("errors"))
            rounds += 1
    finally:
        stop.set()
        poller.join()
    ready, health = latencies["/readyz"], latencies["/healthz"]
    assert len(ready) >= 39
    # Both measure the event loop alone (/readyz answers from its background check). On a
    # shared 2-core machine the worst sample is noise; 19 answers in 20 are held to the
    # 100 ms goal, and none may come near a second (the loop blocked).
    for seen in (ready, health):
        assert statistics.quantiles(seen, n=20)[-1] < 0.1, latencies
        assert statistics.median(seen) < 0.05 and max(seen) < 1.0, latencies


def test_every_issue_reproduction_ends_coded(api: httpx.Client) -> None:
    """The issue's reproductions that refuse, as ops/hostile.py sends them."""
    for name in ("fragment fan-out 10^7", "110-byte text query", "30 aliases of it",
                 "1,000-OR where", "1,000-OR where (variables)"):  # fmt: skip
        body = CASES[name](None)  # type: ignore[arg-type]
        response = api.post("/graphql", json=body)
        found = codes(response.json())
        assert found and "INTERNAL_SERVER_ERROR" not in found, (name, response.text[:300])


def test_the_write_reproductions_of_ops_hostile_corrupt_nothing(
    api: httpx.Client, loaded_db: Driver, settings: Settings
) -> None:
    """Items 4 and 5 as ops/hostile.py sends them: refused, or stored beside, never over."""
    database = settings.neo4j_database
    cited = "committed-to-safe-and-legal-cuban-migration"
    query = "MATCH (d:Document {id: $id}) RETURN d.text AS text"
    text_before = loaded_db.execute_query(query, id=cited, database_=database).records[0]["text"]
    cuba = entity(loaded_db, settings, "cuba")
    for name in ("upsertKnowledge: kind change", "upsertKnowledge: id in properties"):
        body = api.post("/graphql", json=CASES[name](None), headers=AUTH).json()  # type: ignore[arg-type]
        assert codes(body) == ["BAD_USER_INPUT"], (name, body)
    assert entity(loaded_db, settings, "cuba") == cuba
    case = CASES["ingest: a cited document's headline over another text"](None)  # type: ignore[arg-type]
    body = api.post("/graphql", json=case, headers=AUTH).json()
    try:
        stored = body["data"]["ingestDocument"]
        assert stored["created"] and stored["slug"] != cited, body
        text_after = loaded_db.execute_query(query, id=cited, database_=database).records[0]
        assert text_after["text"] == text_before
    finally:
        loaded_db.execute_query(
            "MATCH (d:Document {id: $id}) DETACH DELETE d",
            id=(body.get("data") or {}).get("ingestDocument", {}).get("slug", "-"),
            database_=database,
        )


# -- 8. ingest within its budget ---------------------------------------------------------------

INGEST = "mutation($t: String!) { ingestDocument(text: $t) { slug candidates } }"
BUDGET = 0.3  # seconds; the names-heavy text's analysis alone takes longer on any machine


def test_the_analysis_stops_at_its_deadline_between_steps() -> None:
    text = names_heavy_text(20_000)
    document = prepare_text(text, url=None, date=None, where="t")
    with pytest.raises(OverBudget), deadline(0.0):
        analyse(document, [])
    # Without a deadline (tests, the evaluation) nothing is bounded; with room, it ends.
    with deadline(600.0):
        assert analyse(document, []).candidates


def test_a_text_defining_one_acronym_thousands_of_times_costs_linear_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Hostile review: 3,500 x "Fisheries Council (FC) met." ran 153 s to TIMEOUT, each
    definition searching the whole text again for its acronym (and every overlap test
    copying the tail of the span list). Counted in span tests, not timed."""
    from loaders.ingest.spans import Spans

    tests = 0
    overlapping = Spans.overlapping

    def counted(self: Spans, start: int, end: int) -> Any:
        nonlocal tests
        tests += 1
        return overlapping(self, start, end)

    monkeypatch.setattr(Spans, "overlapping", counted)

    def work(repeats: int) -> int:
        nonlocal tests
        tests = 0
        text = "Fisheries Talks\n\n" + " ".join(["Fisheries Council (FC) met."] * repeats)
        [council] = [c for c in analyse(prepare_text(text), []).candidates if "FC" in c.aliases]
        assert council.name == "Fisheries Council"
        return tests

    small, large = work(200), work(800)
    assert large < 5 * small, (small, large)  # quadratic work would be 16 x


def test_an_ingest_over_its_budget_answers_timeout_and_writes_nothing(
    settings: Settings, driver: Driver
) -> None:
    """Hostile review: a 95 KB names-heavy text held a worker thread 68 s before TIMEOUT."""
    bounded = settings.model_copy(update={"api_token": API_TOKEN, "ingest_timeout": BUDGET})
    before = Counts.of(driver, settings.neo4j_database)
    with LiveServer(bounded) as live, httpx.Client(base_url=live.url, timeout=120) as client:
        started = time.monotonic()
        body = graphql(client, INGEST, headers=AUTH, t=names_heavy_text())
        took = time.monotonic() - started
        assert codes(body) == ["TIMEOUT"], body
        assert "nothing was written" in body["errors"][0]["message"]
        # Bounded, not timed: the budget plus the steps' check interval and the round trip.
        assert took < BUDGET + 5.0, took
        # The server goes on answering.
        assert graphql(client, "{ people(first: 1) { totalCount } }")["data"]["people"]
    assert Counts.of(driver, settings.neo4j_database) == before


def test_an_ingest_runs_in_a_child_process_replaced_when_it_dies_or_overruns(
    settings: Settings, driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hostile review: ingest's analysis in a worker thread held the API's interpreter
    (`/readyz` 108-114 ms beside it). It runs in a child process, which can be killed."""
    import services.workers
    from graph.driver import shared_bookmarks
    from services.pipeline import IngestTimeout
    from services.workers import IngestProcesses

    database = settings.neo4j_database
    document = prepare_text("Fisheries Talks\n\nThe Northern Fisheries Council met in Oslo.")
    processes = IngestProcesses(settings, shared_bookmarks(), processes=1)
    try:
        (first,) = processes.ingest(database, [document], 30.0)
        assert first.document_created and first.stored.id == document.id
        [child] = processes.pids()
        assert child != os.getpid()
        os.kill(child, signal.SIGKILL)  # as the kernel's OOM killer would, while idle
        while child in processes.pids():
            time.sleep(0.01)
        (again,) = processes.ingest(database, [document], 30.0)  # a fresh child
        assert again.stored.status.value == "unchanged"
        [fresh] = processes.pids()
        assert fresh != child
        # A child that has not answered GRACE_SECONDS past its budget is killed: TIMEOUT.
        monkeypatch.setattr(services.workers, "GRACE_SECONDS", -30.0)
        with pytest.raises(IngestTimeout):
            processes.ingest(database, [document], 30.0)
        assert processes.pids() == []
        monkeypatch.undo()
        (after,) = processes.ingest(database, [document], 30.0)
        assert after.stored.id == first.stored.id
    finally:
        processes.close()
        driver.execute_query("MATCH (d:Document {id: $id}) DETACH DELETE d", id=document.id)
    assert processes.pids() == []


def test_an_ingest_whose_process_is_killed_mid_run_answers_a_coded_error_and_writes_nothing(
    settings: Settings, driver: Driver
) -> None:
    """A child killed while it analyses (the OOM killer, a shutdown) is not the client's
    mistake, but it must not surface as INTERNAL_SERVER_ERROR either."""
    from graph.driver import shared_bookmarks
    from schema.errors import CodedError
    from schema.mutation import ingest
    from services.workers import IngestProcesses

    database = settings.neo4j_database
    processes = IngestProcesses(settings, shared_bookmarks(), processes=1)
    before = Counts.of(driver, database)
    raised: list[BaseException] = []

    def run() -> None:
        try:
            ingest(driver, database, names_heavy_text(), None, "2014-05-01", 120.0, processes)
        except BaseException as error:  # the test inspects it
            raised.append(error)

    worker = threading.Thread(target=run)
    try:
        worker.start()
        while not processes.pids():
            time.sleep(0.01)
        time.sleep(0.5)  # into the analysis (the names-heavy text takes seconds)
        for pid in processes.pids():
            os.kill(pid, signal.SIGKILL)
        worker.join(timeout=60)
    finally:
        processes.close()
    assert len(raised) == 1 and isinstance(raised[0], CodedError), raised
    assert raised[0].extensions == {"code": "INGEST_INTERRUPTED"}
    assert "send the same text again" in raised[0].message
    assert Counts.of(driver, database) == before


def test_cli_ingest_over_its_budget_names_the_file_and_writes_nothing(
    settings: Settings, driver: Driver, tmp_path: Path
) -> None:
    article = tmp_path / "names-heavy.txt"
    article.write_text(names_heavy_text(), encoding="utf-8")
    before = Counts.of(driver, settings.neo4j_database)
    env = {**cli_env(settings), "DIPLOGRAPH_INGEST_TIMEOUT": str(BUDGET)}
    done = subprocess.run(
        [str(DIPLOGRAPH), "ingest", str(article), "--review", str(tmp_path / "review")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done
    assert "names-heavy.txt" in done.stderr and "nothing was written" in done.stderr, done
    assert "Traceback" not in done.stderr
    assert Counts.of(driver, settings.neo4j_database) == before
    assert not (tmp_path / "review").exists()


@pytest.mark.parametrize(
    "query",
    [
        "{ people(first: 2) { edges { node { id: name } } } }",
        "{ countries(first: 3) { edges { node { id: name realid: id slug } } } }",
        '{ node(id: "Q291bnRyeTpjdWJh") { ... on Country { __typename: name } } }',
    ],
)
def test_an_alias_the_projection_keeps_for_itself_is_refused_not_answered_wrong(
    api: httpx.Client, query: str
) -> None:
    """Hostile re-check: `id: name` answered the slug, `id: name` on a country lost its id."""
    body = graphql(api, query)
    assert codes(body) == ["BAD_USER_INPUT"] and "is reserved for the fields" in str(body), body


def test_the_aliases_that_name_the_reserved_keys_own_field_still_answer(api: httpx.Client) -> None:
    country = "... on Country { id: slug __typename: __typename name }"
    body = graphql(api, '{ node(id: "Q291bnRyeTpjdWJh") { ' + country + " } }")
    assert body == {"data": {"node": {"id": "cuba", "__typename": "Country", "name": "Cuba"}}}
