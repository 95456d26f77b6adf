"""Analysts' questions over real HTTP: groupings, operators, participation, paths, truncation.

The graph is the articles' curated knowledge plus the historian's sample records
(tests/data/hsg: trips to Cuba by Obama, Hull and Kerry, Clinton's trips elsewhere, the
Havana Interests Section's heads), loaded once for the module. Expected answers are
computed from the graph with plain Cypher, so a wrong compilation cannot agree with them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver

from diplograph.settings import Settings
from graph import reads
from graph.bulk import write_hsg
from graph.projection import Filter, NodeProjection, Page, Prop
from graph.reads import Order
from graph.repository import write_knowledge
from loaders.hsg import read_hsg
from loaders.knowledge import read_knowledge
from tests.conftest import graphql, wipe

SAMPLE = Path(__file__).resolve().parent / "data" / "hsg"


@pytest.fixture(scope="module")
def analyst_graph(driver: Driver, settings: Settings) -> Driver:
    wipe(driver, settings)
    write_knowledge(driver, settings.neo4j_database, read_knowledge())
    write_hsg(driver, settings.neo4j_database, read_hsg(SAMPLE))
    return driver


pytestmark = pytest.mark.usefixtures("analyst_graph")


def data(body: dict[str, Any]) -> Any:
    assert "errors" not in body, body["errors"]
    return body["data"]


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def rows(driver: Driver, settings: Settings, cypher: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(cypher, params, database_=settings.neo4j_database)
    return [r.data() for r in records]


def statements(api: httpx.Client) -> float:
    text = api.get("/metrics").text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("diplograph_cypher_queries_total{")
    )


# -- aggregations ----------


def test_trips_per_year_in_one_statement(
    api: httpx.Client, analyst_graph: Driver, settings: Settings
) -> None:
    expected = rows(
        analyst_graph,
        settings,
        """MATCH (m:Meeting {meetingType: 'trip'})-[:HELD_IN]->(:Country {id: 'cuba'})
           RETURN toString(m.dateFrom.year) AS key, count(*) AS count ORDER BY key""",
    )
    assert sum(r["count"] for r in expected) == 4  # Obama, Hull, Kerry twice
    before = statements(api)
    result = data(
        graphql(
            api,
            """{ meetings(where: {meetingType: {eq: TRIP}, country: "cuba"}) {
                 totalCount
                 aggregate { count minDate maxDate byYear { key count }
                             byCountry { key count } byMeetingType { key count }
                             byPlace { name count } byRelationshipType { key count } } } }""",
        )
    )["meetings"]
    assert statements(api) - before == 1
    agg = result["aggregate"]
    assert agg["byYear"] == expected
    assert agg["count"] == result["totalCount"] == 4
    assert agg["minDate"] == "1940-07-20" and agg["maxDate"].startswith("2016-03")
    assert {"key": "cuba", "count": 4} in agg["byCountry"]
    assert agg["byMeetingType"] == [{"key": "trip", "count": 4}]
    assert all(g["count"] <= 4 for g in agg["byPlace"])
    by_type = {g["key"]: g["count"] for g in agg["byRelationshipType"]}
    assert by_type["ATTENDED"] >= 4 and by_type["HELD_IN"] >= 4


def test_issues_discussed_with_cuba(api: httpx.Client) -> None:
    agg = data(
        graphql(
            api,
            """{ meetings(where: {participant: "cuba"}) {
                 aggregate { byIssue(first: 3) { key name count } } } }""",
        )
    )["meetings"]["aggregate"]
    issues = agg["byIssue"]
    assert len(issues) == 3
    assert [g["count"] for g in issues] == sorted((g["count"] for g in issues), reverse=True)
    assert issues[0]["count"] == 2  # both rounds discussed it
    assert all(g["name"] for g in issues)


def test_search_aggregate_and_counts_alone(api: httpx.Client) -> None:
    result = data(
        graphql(
            api,
            """{ search(query: "migration") { totalCount
                 aggregate { count byRelationshipType(first: 2) { key count } } }
                 meetings { totalCount aggregate { count } } }""",
        )
    )
    assert result["search"]["aggregate"]["count"] == result["search"]["totalCount"] > 0
    assert len(result["search"]["aggregate"]["byRelationshipType"]) == 2
    assert result["meetings"]["aggregate"]["count"] == result["meetings"]["totalCount"]


MEASURES = """count minDate maxDate byYear(first: 100) { key count }
               byCountry { key name count } byPlace { key name count } byIssue { key name count }
               byMeetingType { key count } byRelationshipType { key count }"""


@pytest.mark.parametrize("actor", ["united-states", "cuba"])
def test_nested_aggregate_equals_the_root_one(api: httpx.Client, actor: str) -> None:
    # A nested connection's aggregate is computed in its parent's statement, and measures
    # the same as the root list filtered the same way.
    before = statements(api)
    nested = data(
        graphql(
            api,
            f"""query($a: ID!) {{ node(id: $a) {{ ... on Actor {{
                  meetings(first: 1) {{ totalCount aggregate {{ {MEASURES} }} }} }} }} }}""",
            a=actor,
        )
    )["node"]["meetings"]
    assert statements(api) - before == 1
    root = data(
        graphql(
            api,
            f"""query($a: ID!) {{ meetings(where: {{participant: $a}}) {{
                  aggregate {{ {MEASURES} }} }} }}""",
            a=actor,
        )
    )["meetings"]["aggregate"]
    assert nested["aggregate"] == root
    assert root["count"] == nested["totalCount"] > 0
    assert root["byYear"] == sorted(root["byYear"], key=lambda g: g["key"])
    counts = [g["count"] for g in root["byCountry"]]
    assert counts == sorted(counts, reverse=True) and sum(counts) > 0


def test_nested_aggregate_of_an_empty_list(api: httpx.Client) -> None:
    result = data(
        graphql(
            api,
            """{ organizations(where: {ids: ["us-interests-section-havana"]}) { edges { node {
                 positionHolders(edgeWhere: {dateFrom: "1900-01-01", dateTo: "1900-12-31"}) {
                   aggregate { count minDate byYear { key count } byCountry { key count } } }
                 all: positionHolders { totalCount aggregate { count } } } } } }""",
        )
    )
    node = result["organizations"]["edges"][0]["node"]
    assert node["positionHolders"]["aggregate"] == {
        "count": 0, "minDate": None, "byYear": [], "byCountry": [],
    }  # fmt: skip
    assert node["all"]["aggregate"]["count"] == node["all"]["totalCount"] > 0


@pytest.mark.parametrize(
    ("slug", "arguments", "types", "direction", "window"),
    [
        ("united-states", "", None, None, None),
        ("craig-kelly", "", None, None, None),
        ("us-interests-section-havana", "", None, None, None),
        ("hull-cordell", "", None, None, None),
        # What the connection leaves out, its aggregate leaves out too.
        ("united-states", "(direction: IN)", None, "<-", None),
        ("hull-cordell", "(types: [ATTENDED, HOLDS_POSITION])",
         ["ATTENDED", "HOLDS_POSITION"], None, None),
        ("us-interests-section-havana",
         '(edgeWhere: {dateFrom: "2009-01-01", dateTo: "2011-12-31"})', None, None,
         ("2009-01-01", "2011-12-31")),
    ],
)  # fmt: skip
def test_nested_relationships_aggregate_counts_its_own_edges(
    api: httpx.Client,
    analyst_graph: Driver,
    settings: Settings,
    slug: str,
    arguments: str,
    types: list[str] | None,
    direction: str | None,
    window: tuple[str, str] | None,
) -> None:
    # On `relationships` the edges are what is listed: grouped by type they are the
    # node's own relationships, not its neighbours' (which the nodes' grouping counted).
    result = data(
        graphql(
            api,
            f"""query($id: ID!) {{ node(id: $id) {{ ... on Entity {{
                  relationships{arguments} {{ totalCount edges {{ type }}
                    aggregate {{ byRelationshipType(first: 100) {{ key count }} }} }}
                  all: relationships(first: 100) {{ totalCount edges {{ type }} }} }} }} }}""",
            id=slug,
        )
    )["node"]
    listed = result["relationships"]
    counted = {g["key"]: g["count"] for g in listed["aggregate"]["byRelationshipType"]}
    own: dict[str, int] = {}
    for edge in result["all"]["edges"] if not arguments else []:
        own[edge["type"]] = own.get(edge["type"], 0) + 1
    # Independently of the API: the node's relationships to entities, as the connection
    # selects them.
    left, right = ("<-", "-") if direction == "<-" else ("-", "-")
    expected = {
        r["type"]: r["n"]
        for r in rows(
            analyst_graph,
            settings,
            f"""MATCH (:Entity {{id: $id}}){left}[r]{right}(:Entity)
               WHERE ($types IS NULL OR type(r) IN $types)
                 AND ($from IS NULL OR coalesce(r.dateTo, r.endTo, date('9999-12-31'))
                                       >= date($from))
                 AND ($to IS NULL OR coalesce(r.dateFrom, r.startFrom) <= date($to))
               RETURN type(r) AS type, count(*) AS n""",
            id=slug,
            types=types,
            **{"from": window and window[0], "to": window and window[1]},
        )
    }
    assert counted == expected, (counted, expected)
    assert sum(counted.values()) == listed["totalCount"] > 0
    if not arguments:
        assert result["all"]["totalCount"] <= 100
        assert counted == own
    assert sorted(counted.values(), reverse=True) == [
        g["count"] for g in listed["aggregate"]["byRelationshipType"]
    ]


# -- participation ----------


@pytest.mark.parametrize("actor", ["united-states", "cuba", "craig-kelly", "obama-barack"])
def test_participation_agrees_everywhere(api: httpx.Client, actor: str) -> None:
    result = data(
        graphql(
            api,
            """query($a: ID!, $ids: [ID!]!) {
                 node(id: $a) { ... on Actor { meetings(first: 100) {
                   totalCount edges { node { slug } } } } }
                 filtered: meetings(where: {participant: $a}, first: 100) {
                   totalCount edges { node { slug } } }
                 between: meetingsBetween(actors: $ids, first: 100) { edges { node { slug } } }
               }""",
            a=actor,
            ids=[actor],
        )
    )
    own = {e["node"]["slug"] for e in result["node"]["meetings"]["edges"]}
    assert own, actor
    assert own == {e["node"]["slug"] for e in result["filtered"]["edges"]}
    assert own == {e["node"]["slug"] for e in result["between"]["edges"]}
    assert result["node"]["meetings"]["totalCount"] == result["filtered"]["totalCount"]


def test_country_takes_part_through_its_delegations(api: httpx.Client) -> None:
    result = data(
        graphql(
            api,
            """{ meetingsBetween(actors: ["united-states", "cuba"]) {
                   edges { node { slug } } } }""",
        )
    )
    slugs = {e["node"]["slug"] for e in result["meetingsBetween"]["edges"]}
    assert {"migration-talks-havana-2010", "migration-talks-washington-2010"} <= slugs


def test_united_states_takes_part_in_its_officials_trips(
    api: httpx.Client, analyst_graph: Driver, settings: Settings
) -> None:
    # Independently of the API: meetings attended by a body acting for the United States
    # (an office, a mission, a delegation), by someone holding a post of it, or leading or
    # in it.
    expected = {
        r["slug"]
        for r in rows(
            analyst_graph,
            settings,
            """MATCH (:Country {id: 'united-states'})<-[:REPRESENTS]-(o)
               MATCH (o)-[:ATTENDED]->(m:Meeting) RETURN m.id AS slug
               UNION
               MATCH (:Country {id: 'united-states'})<-[:REPRESENTS]-(o)
                     <-[:HOLDS_POSITION|MEMBER_OF|LED]-(:Person)-[:ATTENDED]->(m:Meeting)
               RETURN m.id AS slug""",
        )
    }
    assert {"hsg-trip-3616", "migration-talks-havana-2010"} <= expected  # Obama in Havana
    result = data(
        graphql(
            api,
            """{ node(id: "united-states") { ... on Country {
                   meetings(first: 100) { totalCount edges { node { slug } } } } }
                 filtered: meetings(where: {participant: "united-states"}, first: 100) {
                   totalCount edges { node { slug } } }
                 between: meetingsBetween(actors: ["united-states"], first: 100) {
                   totalCount edges { node { slug } } }
                 trips: meetings(where: {participant: "united-states",
                                         meetingType: {eq: TRIP}}) { totalCount } }""",
        )
    )
    routes = [result["node"]["meetings"], result["filtered"], result["between"]]
    for route in routes:
        assert {e["node"]["slug"] for e in route["edges"]} == expected
        assert route["totalCount"] == len(expected)
    # Every trip of the sample is a President's or a Secretary of State's.
    assert result["trips"]["totalCount"] == 6


UNKNOWN_IDS = [
    '{participant: "?"}',
    '{country: "?"}',
    '{issue: "?"}',
    '{relatedTo: "?"}',
    '{during: "?"}',
    '{ids: ["cuba", "?"]}',
    '{OR: [{participant: "?"}]}',
    '{NOT: {country: "?"}}',
    '{relationships: [{some: {ids: ["?"]}}]}',
    '{relationships: [{some: {}, edge: {during: "?"}}]}',
]


# An empty id names no entity either: NOT_FOUND, never "no filter".
@pytest.mark.parametrize("unknown", ["nobody-at-all", ""])
@pytest.mark.parametrize("where", UNKNOWN_IDS)
def test_unknown_ids_in_filters_are_not_found(api: httpx.Client, where: str, unknown: str) -> None:
    body = graphql(api, f"{{ meetings(where: {where.replace('?', unknown)}) {{ totalCount }} }}")
    assert codes(body) == ["NOT_FOUND"], body
    assert repr(unknown) in body["errors"][0]["message"]


def test_unknown_ids_in_nested_filters_are_not_found(api: httpx.Client) -> None:
    nested = graphql(
        api,
        """{ node(id: "cuba") { ... on Country {
             meetings(where: {issue: "nobody-at-all"}) { totalCount } } } }""",
    )
    assert codes(nested) == ["NOT_FOUND"]
    edge = graphql(
        api,
        """{ organizations(where: {ids: ["us-interests-section-havana"]}) { edges { node {
             positionHolders(edgeWhere: {during: "nobody-at-all"}) { totalCount } } } } }""",
    )
    assert codes(edge) == ["NOT_FOUND"]


INVERTED = '{dateFrom: "2020-01-01", dateTo: "2010-01-01"}'


@pytest.mark.parametrize(
    "query",
    [
        f"{{ meetings(where: {INVERTED}) {{ totalCount }} }}",
        f"{{ meetings(where: {{OR: [{INVERTED}]}}) {{ totalCount }} }}",
        f"{{ meetings(where: {{relationships: [{{some: {{}}, edge: {INVERTED}}}]}}) "
        "{ totalCount } }",
        f'{{ node(id: "cuba") {{ ... on Country {{ meetings(edgeWhere: {INVERTED}) '
        "{ totalCount } } } }",
        f'{{ node(id: "cuba") {{ ... on Country {{ meetings(where: {INVERTED}) '
        "{ totalCount } } } }",
        f"{{ documents(where: {INVERTED}) {{ totalCount }} }}",
        f'{{ neighborhood(id: "cuba", {INVERTED[1:-1]}) {{ truncated }} }}',
        f'{{ paths(from: "cuba", to: "united-states", {INVERTED[1:-1]}) {{ nodes {{ slug }} }} }}',
    ],
)
def test_inverted_date_windows_are_refused(api: httpx.Client, query: str) -> None:
    # A window that ends before it starts is refused the same way wherever it is given,
    # not answered as if nothing were in it.
    body = graphql(api, query)
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["message"] == "'dateFrom' must not be after 'dateTo'"
    timeline = graphql(api, '{ timeline(of: "cuba", from: "2020-01-01", to: "2010-01-01") '
                       "{ edges { cursor } } }")  # fmt: skip
    assert codes(timeline) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("where", UNKNOWN_IDS)
def test_empty_ids_in_nested_filters_are_not_found(api: httpx.Client, where: str) -> None:
    nested = graphql(
        api,
        f"""{{ node(id: "cuba") {{ ... on Country {{
               meetings(where: {where.replace("?", "")}) {{ totalCount }} }} }} }}""",
    )
    assert codes(nested) == ["NOT_FOUND"], nested


# -- operators ----------


def slugs_of(body: dict[str, Any], field: str) -> set[str]:
    return {e["node"]["slug"] for e in data(body)[field]["edges"]}


def test_property_operators(api: httpx.Client, analyst_graph: Driver, settings: Settings) -> None:
    def cypher(where: str) -> set[str]:
        return {
            r["id"]
            for r in rows(analyst_graph, settings, f"MATCH (n:Meeting) {where} RETURN n.id AS id")
        }

    cases = {
        '{name: {eq: "U.S.-Cuba migration talks in Havana"}}': cypher(
            "WHERE n.name = 'U.S.-Cuba migration talks in Havana'"
        ),
        '{name: {in: ["U.S.-Cuba migration talks in Havana", "nope"]}}': cypher(
            "WHERE n.name IN ['U.S.-Cuba migration talks in Havana']"
        ),
        '{name: {contains: "Havana"}}': cypher("WHERE n.name CONTAINS 'Havana'"),
        '{name: {startsWith: "U.S.-Cuba"}}': cypher("WHERE n.name STARTS WITH 'U.S.-Cuba'"),
        '{date: {gt: "2015-01-01"}}': cypher("WHERE n.dateFrom > date('2015-01-01')"),
        '{date: {gte: "2016-03-21"}}': cypher("WHERE n.dateFrom >= date('2016-03-21')"),
        '{date: {lt: "1950-01-01"}}': cypher("WHERE n.dateFrom < date('1950-01-01')"),
        '{date: {lte: "1940-07-20"}}': cypher("WHERE n.dateFrom <= date('1940-07-20')"),
        '{date: {eq: "2010-06-01"}}': cypher("WHERE n.dateFrom <= date('2010-06-01') <= n.dateTo"),
        "{meetingType: {eq: ROUND}}": cypher("WHERE n.meetingType = 'round'"),
        "{meetingType: {in: [TRIP, SERIES]}}": cypher("WHERE n.meetingType IN ['trip', 'series']"),
    }
    for where, expected in cases.items():
        body = graphql(
            api, f"{{ meetings(where: {where}, first: 100) {{ edges {{ node {{ slug }} }} }} }}"
        )
        assert slugs_of(body, "meetings") == expected, where
        assert expected, where  # each case selects something
    terms = graphql(
        api,
        """{ big: entities(where: {quantity: {gte: 20000}}) { totalCount }
             small: entities(where: {quantity: {lt: 20000}}) { totalCount }
             listed: entities(where: {quantity: {in: [1, 20000]}}) { totalCount } }""",
    )
    assert data(terms) == {
        "big": {"totalCount": 1},
        "small": {"totalCount": 0},
        "listed": {"totalCount": 1},
    }


@pytest.mark.parametrize(
    "text",
    ["havana", "HAVANA", "in havana", "s.-cuba", "talks in wash", "a", "ission", "cuba's",
     "nowhere at all", "1994", " havana "],
)  # fmt: skip
def test_text_filter_agrees_with_a_scan(
    api: httpx.Client, analyst_graph: Driver, settings: Settings, text: str
) -> None:
    expected = {
        r["id"]
        for r in rows(
            analyst_graph,
            settings,
            """MATCH (n:Entity) WHERE (toLower(n.name) CONTAINS $t
                 OR toLower(coalesce(n.aliasText, '')) CONTAINS $t
                 OR toLower(coalesce(n.description, '')) CONTAINS $t)
                 AND NOT coalesce(n.candidate, false)  // listed only when asked
               RETURN n.id AS id""",
            t=text.lower(),
        )
    }
    body = graphql(
        api,
        "query($t: String!) { entities(where: {text: $t}, first: 100) { totalCount "
        "edges { node { slug } } } }",
        t=text,
    )
    assert slugs_of(body, "entities") == expected
    assert data(body)["entities"]["totalCount"] == len(expected)


def test_text_filter_reads_the_full_text_index(analyst_graph: Driver, settings: Settings) -> None:
    projection = NodeProjection([("name", Prop("name"))])

    def plan(where: Filter) -> tuple[set[str], int]:
        statement = reads.list_entities(
            ("Meeting",), where, [Order("NAME")], Page(limit=20), projection, True
        )
        _, summary, _ = analyst_graph.execute_query(
            "PROFILE " + statement.cypher, statement.params, database_=settings.neo4j_database
        )
        operators: set[str] = set()

        def walk(p: dict[str, Any]) -> int:
            operators.add(p["operatorType"].split("@")[0])
            return int(p.get("dbHits", 0)) + sum(walk(c) for c in p.get("children", []))

        return operators, walk(summary.profile or {})

    indexed, indexed_hits = plan(Filter(text="havana"))
    assert "ProcedureCall" in indexed and not any("LabelScan" in o for o in indexed), indexed
    # The same filter under OR is not driven by the index: every meeting is read.
    scanned, scanned_hits = plan(Filter(any_of=[Filter(text="havana")]))
    assert any("LabelScan" in o for o in scanned), scanned
    assert indexed_hits < scanned_hits


def test_participant_filter_starts_from_each_meeting_not_from_every_entity(
    analyst_graph: Driver, settings: Settings
) -> None:
    """`participantWhere` expands from a meeting to its few participants; matching every
    entity first ran each request on the historian's data into the 10 s timeout."""
    projection = NodeProjection([("name", Prop("name"))])
    statement = reads.list_entities(
        ("Meeting",), Filter(participant_where=Filter(text="kelly")), [Order("NAME")],
        Page(limit=20), projection, True,
    )  # fmt: skip
    _, summary, _ = analyst_graph.execute_query(
        "PROFILE " + statement.cypher, statement.params, database_=settings.neo4j_database
    )
    scans: list[str] = []

    def walk(p: dict[str, Any]) -> None:
        if "LabelScan" in p["operatorType"] or "AllNodesScan" in p["operatorType"]:
            scans.append(str(p.get("args", {}).get("Details", "")))
        for child in p.get("children", []):
            walk(child)

    walk(summary.profile or {})
    assert scans and not [d for d in scans if ":Entity" in d], scans


def test_relationship_quantifiers(api: httpx.Client) -> None:
    body = graphql(
        api,
        """{
          some: delegations(where: {relationships: [{types: [LED], direction: IN, some: {}}]}) {
            edges { node { slug } } }
          none: delegations(where: {relationships: [{types: [LED], direction: IN, none: {}}]}) {
            edges { node { slug } } }
          single: delegations(where: {relationships: [{types: [LED], direction: IN,
                                                       single: {}}]}) { edges { node { slug } } }
          all: delegations(where: {relationships: [{types: [REPRESENTS], direction: OUT,
                                                    all: {ids: ["cuba"]}}]}) {
            edges { node { slug } } }
          secretaries: people(where: {relationships: [
              {types: [HOLDS_POSITION], direction: OUT, some: {ids: ["state-secretary"]}},
              {types: [ATTENDED], direction: OUT,
               some: {meetingType: {eq: TRIP}, country: "cuba"}}]}) { edges { node { slug } } }
          during: people(where: {relationships: [{types: [HOLDS_POSITION],
              some: {ids: ["us-interests-section-havana"]},
              edge: {dateFrom: "2010-01-01", dateTo: "2010-12-31"}}]}) { edges { node { slug } } }
        }""",
    )
    result = data(body)
    led = {e["node"]["slug"] for e in result["some"]["edges"]}
    unled = {e["node"]["slug"] for e in result["none"]["edges"]}
    assert unled == {"cuban-delegation-havana-2010"}
    assert led and not led & unled
    assert {e["node"]["slug"] for e in result["single"]["edges"]} <= led
    assert {e["node"]["slug"] for e in result["all"]["edges"]} == {
        "cuban-delegation-havana-2010",
        "cuban-delegation-washington-2010",
    }
    assert {e["node"]["slug"] for e in result["secretaries"]["edges"]} == {
        "hull-cordell",
        "kerry-john-forbes",
    }
    assert {e["node"]["slug"] for e in result["during"]["edges"]} == {"farrar-jonathan-d"}


def test_during_a_meeting(api: httpx.Client) -> None:
    result = data(
        graphql(
            api,
            """{ meetings(where: {during: "migration-talks-washington-2010"}) {
                   edges { node { slug } } }
                 organizations(where: {ids: ["us-interests-section-havana"]}) { edges { node {
                   positionHolders(edgeWhere: {during: "migration-talks-washington-2010"}) {
                     edges { node { slug } } } } } } }""",
        )
    )
    holders = result["organizations"]["edges"][0]["node"]["positionHolders"]["edges"]
    assert [e["node"]["slug"] for e in holders] == ["farrar-jonathan-d"]
    # Both 2010 rounds are dated to the year, so each lies within the other's dates.
    assert {e["node"]["slug"] for e in result["meetings"]["edges"]} >= {
        "migration-talks-havana-2010",
        "migration-talks-washington-2010",
    }


# -- ordering, documents, paths, neighbourhoods ----------


def test_nested_order_by_a_posts_start(api: httpx.Client) -> None:
    result = data(
        graphql(
            api,
            """{ organizations(where: {ids: ["us-interests-section-havana"]}) { edges { node {
                 asc: positionHolders(orderBy: [{field: START}], first: 100) {
                   edges { start { start } node { slug } } }
                 desc: positionHolders(orderBy: [{field: START, direction: DESC}], first: 100) {
                   edges { node { slug } } }
                 byName: positionHolders(orderBy: [{field: NAME}], first: 100) {
                   edges { node { name } } } } } } }""",
        )
    )
    node = result["organizations"]["edges"][0]["node"]
    starts = [e["start"]["start"] for e in node["asc"]["edges"]]
    assert len(starts) > 1 and starts == sorted(starts)
    asc = [e["node"]["slug"] for e in node["asc"]["edges"]]
    assert [e["node"]["slug"] for e in node["desc"]["edges"]] == asc[::-1]
    names = [e["node"]["name"] for e in node["byName"]["edges"]]
    assert names == sorted(names)


def test_documents_connection(api: httpx.Client) -> None:
    first = data(
        graphql(
            api,
            """{ documents(first: 2, where: {dataset: "travels"}) {
                 totalCount pageInfo { hasNextPage endCursor } edges { node { slug file } } } }""",
        )
    )["documents"]
    assert first["totalCount"] >= 4 and first["pageInfo"]["hasNextPage"]
    assert all(e["node"]["file"].startswith("travels/") for e in first["edges"])
    rest = data(
        graphql(
            api,
            """query($after: String) { documents(first: 100, after: $after,
                 where: {dataset: "travels"}) { edges { node { slug } } } }""",
            after=first["pageInfo"]["endCursor"],
        )
    )["documents"]
    seen = [e["node"]["slug"] for e in first["edges"] + rest["edges"]]
    assert len(seen) == len(set(seen)) == first["totalCount"]
    by_publisher = data(
        graphql(
            api,
            """{ documents(where: {publisher: {startsWith: "U.S. Department of State"}}) {
                 totalCount } all: documents { totalCount } }""",
        )
    )
    assert 0 < by_publisher["documents"]["totalCount"] < by_publisher["all"]["totalCount"]


def test_paths_by_type_window_and_distinct_nodes(api: httpx.Client) -> None:
    query = """query($types: [RelationshipType!], $without: [RelationshipType!],
                     $from: Date, $to: Date, $distinct: Boolean!) {
      paths(from: "craig-kelly", to: "dagoberto-rodriguez-barrera", maxHops: 4, first: 20,
            types: $types, excludeTypes: $without, dateFrom: $from, dateTo: $to,
            distinctNodes: $distinct) { nodes { slug } segments { type } } }"""

    def ask(distinct: bool = True, **v: Any) -> list[dict[str, Any]]:
        variables = {"types": None, "without": None, "from": None, "to": None, **v}
        return data(graphql(api, query, distinct=distinct, **variables))["paths"]  # type: ignore[no-any-return]

    everything = ask(distinct=False)
    distinct = ask()
    assert len(everything) > len(distinct)  # two paths share Cuba and the delegation
    sets = [frozenset(n["slug"] for n in p["nodes"]) for p in distinct]
    assert len(sets) == len(set(sets)) and len(distinct) <= len(everything)
    assert len({frozenset(n["slug"] for n in p["nodes"]) for p in everything}) == len(distinct)
    for path in ask(types=["LED", "ATTENDED", "MEMBER_OF"]):
        assert {s["type"] for s in path["segments"]} <= {"LED", "ATTENDED", "MEMBER_OF"}
    for path in ask(without=["ATTENDED"]):
        assert "ATTENDED" not in {s["type"] for s in path["segments"]}
    # The rounds are of 2010: outside a 1900-1950 window no path goes through them.
    rounds = {"migration-talks-havana-2010", "migration-talks-washington-2010"}
    around = ["VISITED", "REPRESENTS"]
    assert any(rounds & {n["slug"] for n in p["nodes"]} for p in ask(without=around))
    for path in ask(without=around, **{"from": "1900-01-01", "to": "1950-12-31"}):
        assert not rounds & {n["slug"] for n in path["nodes"]}


def test_neighborhood_reports_truncation(api: httpx.Client) -> None:
    result = data(
        graphql(
            api,
            """{ cut: neighborhood(id: "us-cuba-migration-accords-1994", depth: 2, limit: 3) {
                   totalNodes truncated nodes { slug } }
                 whole: neighborhood(id: "us-cuba-migration-accords-1994", depth: 2,
                                     limit: 500) { totalNodes truncated nodes { slug } }
                 cutUncounted: neighborhood(id: "us-cuba-migration-accords-1994", depth: 2,
                                            limit: 3) { truncated nodes { slug } }
                 wholeUncounted: neighborhood(id: "us-cuba-migration-accords-1994", depth: 2,
                                              limit: 500) { truncated nodes { slug } }
                 issues: neighborhood(id: "us-cuba-migration-accords-1994", depth: 2,
                                      kinds: ["Issue"], types: [INVOLVES, AFFECTS, DISCUSSED,
                                      IMPLEMENTS]) { nodes { kind } edges { type } } }""",
        )
    )
    cut, whole = result["cut"], result["whole"]
    assert cut["truncated"] and len(cut["nodes"]) == 4  # the center and three
    assert not whole["truncated"] and whole["totalNodes"] == len(whole["nodes"]) - 1
    assert cut["totalNodes"] == whole["totalNodes"]
    # Without totalNodes only the nearest limit + 1 are ordered: the same nodes, in the
    # same order, and the same truncation.
    for counted, uncounted in ((cut, result["cutUncounted"]), (whole, result["wholeUncounted"])):
        assert uncounted == {"truncated": counted["truncated"], "nodes": counted["nodes"]}
    # The center's own facts first: its direct neighbours lead the cut list.
    direct = data(
        graphql(
            api,
            """{ neighborhood(id: "us-cuba-migration-accords-1994", depth: 1, limit: 500) {
                 nodes { slug } } }""",
        )
    )["neighborhood"]["nodes"]
    assert {n["slug"] for n in cut["nodes"]} <= {n["slug"] for n in direct}
    kinds = {n["kind"] for n in result["issues"]["nodes"][1:]}
    assert kinds == {"Issue"}
    assert {e["type"] for e in result["issues"]["edges"]} <= {
        "INVOLVES", "AFFECTS", "DISCUSSED", "IMPLEMENTS",
    }  # fmt: skip


# -- bad values: a coded error, never a 500 ----------

BAD = [
    ("{ meetings(where: {name: {in: 3}}) { totalCount } }", "GRAPHQL_VALIDATION_FAILED"),
    ('{ meetings(where: {meetingType: {eq: "trip"}}) { totalCount } }',
     "GRAPHQL_VALIDATION_FAILED"),
    ('{ meetings(where: {date: {gt: "July"}}) { totalCount } }', "GRAPHQL_VALIDATION_FAILED"),
    ('{ entities(where: {quantity: {gt: "many"}}) { totalCount } }',
     "GRAPHQL_VALIDATION_FAILED"),
    ("{ meetings(where: {relationships: [{types: [NOPE], some: {}}]}) { totalCount } }",
     "GRAPHQL_VALIDATION_FAILED"),
    ("{ meetings(where: {relationships: [{some: {}, none: {}}]}) { totalCount } }",
     "BAD_USER_INPUT"),
    ("{ meetings(where: {relationships: [{types: [LED]}]}) { totalCount } }", "BAD_USER_INPUT"),
    ("{ meetings { aggregate { byYear(first: 0) { key } } } }", "BAD_USER_INPUT"),
    ("{ meetings { aggregate { byIssue(first: 101) { key } } } }", "BAD_USER_INPUT"),
    ('{ search(query: "cuba") { aggregate { byCountry(first: -1) { key } } } }', "BAD_USER_INPUT"),
    ('{ node(id: "cuba") { ... on Country { meetings { aggregate { byYear(first: 0) { key } } } '
     "} } }", "BAD_USER_INPUT"),
    ('{ node(id: "cuba") { ... on Country { meetings { aggregate { byPlace(first: 101) { key } '
     "} } } } }", "BAD_USER_INPUT"),
    ('{ node(id: "cuba") { ... on Country { meetings(orderBy: [{field: SIDEWAYS}]) '
     "{ totalCount } } } }", "GRAPHQL_VALIDATION_FAILED"),
    ('{ node(id: "cuba") { ... on Country { meetings(where: {date: {gt: "never"}}) '
     "{ totalCount } } } }", "GRAPHQL_VALIDATION_FAILED"),
    ('{ documents(where: {dataset: "tweets"}) { totalCount } }', "BAD_USER_INPUT"),
    ("{ documents(first: 1000) { totalCount } }", "BAD_USER_INPUT"),
    ('{ documents(after: "bogus") { totalCount } }', "BAD_USER_INPUT"),
    ('{ paths(from: "cuba", to: "united-states", dateFrom: "2016-01-01", dateTo: "2010-01-01")'
     " { nodes { slug } } }", "BAD_USER_INPUT"),
    ('{ paths(from: "cuba", to: "united-states", types: [SIDEWAYS]) { nodes { slug } } }',
     "GRAPHQL_VALIDATION_FAILED"),
    ('{ paths(from: "cuba", to: "united-states", distinctNodes: "yes") { nodes { slug } } }',
     "GRAPHQL_VALIDATION_FAILED"),
    ('{ neighborhood(id: "cuba", kinds: ["Spaceship"]) { truncated } }', "BAD_USER_INPUT"),
    ('{ neighborhood(id: "cuba", excludeTypes: [NOPE]) { truncated } }',
     "GRAPHQL_VALIDATION_FAILED"),
    ('{ neighborhood(id: "cuba", dateFrom: "2016-01-01", dateTo: "2010-01-01") { truncated } }',
     "BAD_USER_INPUT"),
    ('{ meetings(where: {during: "nobody-at-all"}) { totalCount } }', "NOT_FOUND"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "code"), BAD)
def test_bad_values_get_a_coded_error(api: httpx.Client, query: str, code: str) -> None:
    response = api.post("/graphql", json={"query": query})
    assert response.status_code < 500
    body = response.json()
    assert codes(body) == [code], body


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ({"meetingType": {"eq": "TRIPS"}}, "meetingType"),
        ({"relationships": [{"some": {}, "all": {}}]}, "relationships"),
        ({"name": {"in": [1]}}, "name"),
    ],
)
def test_bad_values_in_nested_variables(api: httpx.Client, where: Any, field: str) -> None:
    body = graphql(
        api,
        """query($w: EntityWhere) { node(id: "cuba") { ... on Country {
             meetings(where: $w) { totalCount } } } }""",
        w=where,
    )
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert field in body["errors"][0]["message"]
