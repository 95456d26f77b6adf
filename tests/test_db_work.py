"""Neo4j does only the work a request asks for (issue 13): one full-text query per search,
a count only for `totalCount`, `hasNextPage` from one row more, no `Document` read for a
source's slug. Real Neo4j; db hits from PROFILE of the statements the schema compiles."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import httpx
import pytest
from neo4j import Driver

from bench.api.profiling import RecordingReader, profile_statement
from diplograph.settings import Settings
from graph.driver import connect_async
from graph.reads import Statement
from schema.api import schema as api_schema
from schema.context import Context
from tests.conftest import graphql

pytestmark = pytest.mark.usefixtures("knowledge_graph")


def in_process(
    settings: Settings, driver: Driver, query: str, **variables: Any
) -> tuple[list[Statement], Any]:
    """The statements a query ran, and its data."""

    async def run() -> tuple[list[Statement], Any]:
        reads_driver = connect_async(settings)
        try:
            reader = RecordingReader(reads_driver, settings.neo4j_database, settings.query_timeout)
            context = Context(reader=reader, settings=settings, sync_driver=driver)
            result = await api_schema.execute(
                query, variable_values=variables, context_value=context
            )
            assert not result.errors, result.errors
            return reader.statements, result.data
        finally:
            await reads_driver.close()

    return asyncio.run(run())


def db_hits(driver: Driver, settings: Settings, statements: list[Statement]) -> int:
    return sum(
        profile_statement(driver, settings.neo4j_database, s.cypher, s.params) for s in statements
    )


SEARCH = """query($first: Int, $after: String) { search(query: "havana", first: $first,
  after: $after) { totalCount edges { cursor node { slug } } } }"""


def test_search_asks_the_index_once_for_its_page_and_its_total(
    settings: Settings, driver: Driver
) -> None:
    statements, everything = in_process(settings, driver, SEARCH, first=100)
    assert [s.cypher.count("db.index.fulltext.queryNodes") for s in statements] == [1]
    slugs = [e["node"]["slug"] for e in everything["search"]["edges"]]
    assert 4 < len(slugs) < 100
    assert everything["search"]["totalCount"] == len(slugs)
    cursor = everything["search"]["edges"][1]["cursor"]
    _, page = in_process(settings, driver, SEARCH, first=2, after=cursor)
    assert [e["node"]["slug"] for e in page["search"]["edges"]] == slugs[2:4]
    assert page["search"]["totalCount"] == len(slugs)
    # Without totalCount nothing is collected to be counted: the page is a top-k of the hits.
    uncounted, same = in_process(
        settings, driver, SEARCH.replace("totalCount", ""), first=2, after=cursor
    )
    assert "collect(n) AS matched" not in uncounted[0].cypher
    assert "collect(n) AS matched" in statements[0].cypher
    assert same["search"]["edges"] == page["search"]["edges"]


def test_nested_connections_are_counted_only_when_total_count_is_asked(
    settings: Settings, driver: Driver
) -> None:
    query = """{ node(id: "alan-gross-detention") { ... on Issue {
      involvement(first: %d) { %s edges { node { slug } } } } } }"""
    counted, with_total = in_process(settings, driver, query % (100, "totalCount"))
    plain, without = in_process(settings, driver, query % (100, ""))
    involvement = with_total["node"]["involvement"]
    assert involvement["totalCount"] == len(involvement["edges"]) > 2
    assert without["node"]["involvement"]["edges"] == involvement["edges"]
    # Not asked, nothing counts; asked, the page and the total come from one pass over the
    # matches (a count beside the page read them twice).
    assert "COUNT {" not in plain[0].cypher and "size(rows" not in plain[0].cypher
    assert "COUNT {" not in counted[0].cypher and "size(rows" in counted[0].cypher
    assert db_hits(driver, settings, counted) < 1.5 * db_hits(driver, settings, plain)


def _page(api: httpx.Client, query: str, first: int) -> Any:
    body = graphql(api, query, first=first)
    assert "errors" not in body, body["errors"]
    return body["data"]


def test_has_next_page_without_total_count_reads_one_row_more(
    api: httpx.Client, settings: Settings, driver: Driver
) -> None:
    root = """query($first: Int) { issues(first: $first, orderBy: [{field: ID}]) {
      %s pageInfo { hasNextPage endCursor } edges { node { slug } } } }"""
    nested = """query($first: Int) { node(id: "alan-gross-detention") { ... on Issue {
      involvement(first: $first) { %s pageInfo { hasNextPage endCursor }
      edges { node { slug } } } } } }"""
    for query, path in ((root, ("issues",)), (nested, ("node", "involvement"))):

        def connection(data: Any, path: tuple[str, ...] = path) -> Any:
            for key in path:
                data = data[key]
            return data

        total = connection(_page(api, query % "totalCount", 100))["totalCount"]
        assert total >= 3
        for first in (total - 1, total, total + 1):
            counted = connection(_page(api, query % "totalCount", first))
            probed = connection(_page(api, query % "", first))
            assert probed["edges"] == counted["edges"]
            assert len(probed["edges"]) == min(first, total)
            assert probed["pageInfo"] == counted["pageInfo"]
            assert probed["pageInfo"]["hasNextPage"] is (first < total)
    statements, _ = in_process(settings, driver, root % "", first=2)
    assert "COUNT {" not in statements[0].cypher


def test_sources_read_no_document_when_only_its_slug_is_asked(
    settings: Settings, driver: Driver
) -> None:
    query = """{ node(id: "craig-kelly") { ... on Person {
      sources { quote document { %s } }
      led(first: 20) { edges { sources { quote document { %s } } } } } } }"""
    slugs_only, by_slug = in_process(settings, driver, query % ("slug", "slug"))
    looked_up, with_title = in_process(settings, driver, query % ("slug title", "slug title"))
    # The one `:Document` left is `node(id:)`'s own lookup (an id may name a document).
    assert slugs_only[0].cypher.count(":Document") == 1
    assert looked_up[0].cypher.count(":Document") > 1

    def pairs(data: Any) -> list[tuple[str, str]]:
        person = data["node"]
        found = [(s["document"]["slug"], s["quote"]) for s in person["sources"]]
        for edge in person["led"]["edges"]:
            found += [(s["document"]["slug"], s["quote"]) for s in edge["sources"]]
        return found

    assert pairs(by_slug) == pairs(with_title) and len(pairs(by_slug)) >= 2
    assert all(s["document"]["title"] for s in with_title["node"]["sources"])
    assert db_hits(driver, settings, slugs_only) < db_hits(driver, settings, looked_up)


class BoltMessages(logging.Handler):
    """The Bolt messages the driver sends (its debug log: `[#88B6]  C: RUN "..."`), each
    as (connection, message, the rest)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sent: list[tuple[str, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        connection, _, sent = record.getMessage().partition("  C: ")
        if sent:
            message, _, rest = sent.partition(" ")
            self.sent.append((connection, message, rest))


def test_a_read_is_one_round_trip_with_nothing_to_commit(
    settings: Settings, driver: Driver
) -> None:
    # Auto-commit (RUN and PULL in one write) where a managed transaction took two round
    # trips (BEGIN, RUN, PULL; then COMMIT): a third of a small read's CPU (issue 13s).
    messages, log = BoltMessages(), logging.getLogger("neo4j")
    level = log.level
    log.addHandler(messages)
    log.setLevel(logging.DEBUG)
    try:
        statements, data = in_process(settings, driver, ENTITY_PAGE, id="craig-kelly")
    finally:
        log.removeHandler(messages)
        log.setLevel(level)
    assert data["node"]["name"] and len(statements) == 1
    # The connection that sent the statement (another test's app may ping Neo4j meanwhile).
    ours = {c for c, m, rest in messages.sent if m == "RUN" and statements[0].cypher[:60] in rest}
    sent = [
        m for c, m, _ in messages.sent
        if c in ours and m in ("BEGIN", "RUN", "PULL", "COMMIT", "ROLLBACK")
    ]  # fmt: skip
    assert len(ours) == 1 and sent == ["RUN", "PULL"], messages.sent


ENTITY_PAGE = """query($id: ID!) { node(id: $id) { ... on Person { name
  led(first: 10) { edges { node { slug ... on Delegation { members(first: 10) {
    edges { node { slug } } } } ... on Organization { positionHolders(first: 10) {
    edges { node { slug } } } } } } } } } }"""


def test_a_field_of_one_kind_is_fetched_for_that_kind_only(
    settings: Settings, driver: Driver
) -> None:
    # `members` is asked on delegations, `positionHolders` on organizations: each list's
    # statement is guarded by the label, not run for every node it reached (issue 13s).
    statements, data = in_process(settings, driver, ENTITY_PAGE, id="craig-kelly")
    cypher = statements[0].cypher
    assert re.search(r"`members`: CASE WHEN \w+:Delegation THEN", cypher), cypher
    assert re.search(r"`positionHolders`: CASE WHEN \w+:Organization THEN", cypher), cypher
    assert data["node"]["led"]["edges"]


def test_kinds_asking_the_same_field_share_one_branch(settings: Settings, driver: Driver) -> None:
    # `... on Actor { meetings }` on `node` is the same list for every actor kind: one CASE
    # branch, not one per kind (Neo4j planned each branch's subqueries: 2.6 times the work).
    query = """query($id: ID!) { node(id: $id) { ... on Actor {
                 meetings(first: 1) { totalCount aggregate { count } } } } }"""
    statements, data = in_process(settings, driver, query, id="cuba")
    cypher = statements[0].cypher
    branch = re.search(r"`meetings`: CASE (WHEN .*?) THEN", cypher)
    assert branch and branch.group(1).count(" OR ") >= 1, cypher
    assert cypher.count("`meetings`: CASE") == 1 and data["node"]["meetings"]["totalCount"] > 0
