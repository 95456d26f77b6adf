"""The GraphQL API over real HTTP against the real loaded graph."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
import pytest
from neo4j import Driver

from diplograph.settings import Settings
from schema.api import schema
from schema.limits import MAX_ALIASES, MAX_DEPTH
from schema.selection import MAX_PAGE_SIZE
from tests.conftest import API_TOKEN, graphql

pytestmark = pytest.mark.usefixtures("knowledge_graph")

SCHEMA_FILE = "schema.graphql"


def data(body: dict[str, Any]) -> Any:
    assert "errors" not in body, body["errors"]
    return body["data"]


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def cypher_queries(api: httpx.Client, operation: str) -> float:
    """The Cypher statement count the server exported for one operation name."""
    text = api.get("/metrics").text
    match = re.search(
        rf'^diplograph_cypher_queries_total{{operation="{operation}"}} ([0-9.e+]+)$', text, re.M
    )
    return float(match.group(1)) if match else 0.0


# -- contract ----------


def test_committed_sdl_matches_the_code() -> None:
    from pathlib import Path

    committed = (Path(__file__).resolve().parent.parent / SCHEMA_FILE).read_text()
    assert committed == schema.as_str() + "\n", (
        "schema.graphql is stale: run `diplograph schema > schema.graphql`"
    )


# -- lists, filters, ordering ----------


def test_people_with_sources_and_nested_relations(api: httpx.Client) -> None:
    body = graphql(
        api,
        """{
      people(where: {text: "kelley"}) {
        totalCount
        edges { node { slug name aliases note
          led { edges { role title sources { quote document { slug title } }
                node { name ... on Delegation { represents { slug } } } } } } }
      }
    }""",
    )
    people = data(body)["people"]
    assert people["totalCount"] == 1
    kelly = people["edges"][0]["node"]
    assert kelly["slug"] == "craig-kelly"
    assert "Craig Kelley" in kelly["aliases"]
    assert "Craig Kelley" in kelly["note"] and "Craig Kelly" in kelly["note"]
    led = kelly["led"]["edges"]
    assert {e["node"]["represents"]["slug"] for e in led} == {"united-states"}
    titles = {e["title"] for e in led}
    assert "Principal Deputy Assistant Secretary of State for Western Hemisphere Affairs" in titles
    for edge in led:
        assert edge["sources"], edge
        for source in edge["sources"]:
            assert source["document"]["slug"] in {
                "advancing-the-dialogue-with-cuba",
                "committed-to-safe-and-legal-cuban-migration",
            }


def test_typed_lists_answer(api: httpx.Client) -> None:
    fields = ["people", "organizations", "delegations", "countries", "actors", "meetings",
              "agreements", "events", "issues", "places", "entities"]  # fmt: skip
    query = "{ " + " ".join(f"{f}(first: 100) {{ totalCount }}" for f in fields) + " }"
    result = data(graphql(api, query))
    for name in fields:
        assert result[name]["totalCount"] > 0, name
    assert result["delegations"]["totalCount"] == 4
    assert result["countries"]["totalCount"] == 2
    assert result["actors"]["totalCount"] == sum(
        result[k]["totalCount"] for k in ("people", "organizations", "delegations", "countries")
    )


def test_meetings_filtered_by_date_country_and_participant(api: httpx.Client) -> None:
    result = data(
        graphql(
            api,
            """{
      in2010: meetings(where: {dateFrom: "2010-01-01", dateTo: "2010-12-31"},
                       orderBy: [{field: NAME}]) { edges { node { slug } } }
      inCuba: meetings(where: {country: "cuba"}) { edges { node { slug } } }
      withDagoberto: meetings(where: {participant: "dagoberto-rodriguez-barrera"})
        { edges { node { slug } } }
      notCuba: meetings(where: {AND: [{dateFrom: "2010-01-01"}], NOT: {country: "cuba"}})
        { edges { node { slug } } }
      either: meetings(where: {OR: [{country: "cuba"}, {text: "washington"}]})
        { totalCount }
    }""",
        )
    )

    def slugs(key: str) -> list[str]:
        return [e["node"]["slug"] for e in result[key]["edges"]]

    assert set(slugs("in2010")) >= {
        "migration-talks-havana-2010",
        "migration-talks-washington-2010",
    }
    assert "migration-talks-havana-2010" in slugs("inCuba")
    assert "migration-talks-washington-2010" not in slugs("inCuba")
    assert "migration-talks-washington-2010" in slugs("withDagoberto")
    assert "migration-talks-havana-2010" not in slugs("notCuba")
    assert result["either"]["totalCount"] >= 2


def test_order_by_name_descending(api: httpx.Client) -> None:
    result = data(graphql(api, '{ issues(orderBy: [{field: NAME, direction: DESC}], first: 50)'
                               " { edges { node { name } } } }"))  # fmt: skip
    names = [e["node"]["name"] for e in result["issues"]["edges"]]
    assert names == sorted(names, reverse=True)
    assert len(names) > 5


# -- pagination ----------


PAGE = """query Page($first: Int, $after: String, $last: Int, $before: String) {
  issues(first: $first, after: $after, last: $last, before: $before, orderBy: [{field: ID}]) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { slug } }
  }
}"""


def test_cursor_pagination_walks_every_item_once(api: httpx.Client) -> None:
    everything = data(graphql(api, PAGE, first=100))["issues"]
    all_slugs = [e["node"]["slug"] for e in everything["edges"]]
    assert len(all_slugs) == everything["totalCount"]
    seen: list[str] = []
    after = None
    while True:
        page = data(graphql(api, PAGE, first=4, after=after))["issues"]
        seen += [e["node"]["slug"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == all_slugs
    assert page["pageInfo"]["hasPreviousPage"] is True


def test_last_and_before(api: httpx.Client) -> None:
    everything = [e["node"]["slug"] for e in data(graphql(api, PAGE, first=100))["issues"]["edges"]]
    last = data(graphql(api, PAGE, last=3))["issues"]
    assert [e["node"]["slug"] for e in last["edges"]] == everything[-3:]
    assert last["pageInfo"]["hasNextPage"] is False
    assert last["pageInfo"]["hasPreviousPage"] is True
    before = data(graphql(api, PAGE, last=2, before=last["edges"][0]["cursor"]))["issues"]
    assert [e["node"]["slug"] for e in before["edges"]] == everything[-5:-3]


def test_empty_page_and_page_past_the_end(api: httpx.Client) -> None:
    empty = data(graphql(api, PAGE, first=0))["issues"]
    assert empty["edges"] == [] and empty["totalCount"] > 0
    assert empty["pageInfo"]["startCursor"] is None
    total = empty["totalCount"]
    cursor = base64.b64encode(f"cursor:{total + 10}".encode()).decode()
    past = data(graphql(api, PAGE, first=5, after=cursor))["issues"]
    assert past["edges"] == [] and past["pageInfo"]["hasNextPage"] is False
    nothing = data(graphql(api, '{ people(where: {text: "no such person"}) '
                                "{ totalCount edges { cursor } } }"))  # fmt: skip
    assert nothing["people"] == {"totalCount": 0, "edges": []}


@pytest.mark.parametrize(
    "cursor", ["not-a-cursor", "Y3Vyc29yOi01", base64.b64encode(b"x").decode()]
)
def test_invalid_cursor_is_bad_user_input(api: httpx.Client, cursor: str) -> None:
    body = graphql(api, PAGE, first=2, after=cursor)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "invalid cursor" in body["errors"][0]["message"]


def test_page_size_limit(api: httpx.Client) -> None:
    body = graphql(api, PAGE, first=MAX_PAGE_SIZE + 1)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert str(MAX_PAGE_SIZE) in body["errors"][0]["message"]


def test_nested_connection_pages(api: httpx.Client) -> None:
    query = """query($after: String) { node(id: "alan-gross-detention") { ... on Issue {
      involvement(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        edges { type outgoing node { slug } } } } } }"""
    first = data(graphql(api, query))["node"]["involvement"]
    assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"]
    rest = data(graphql(api, query, after=first["pageInfo"]["endCursor"]))["node"]["involvement"]
    slugs = [e["node"]["slug"] for e in first["edges"] + rest["edges"]]
    assert len(set(slugs)) == len(slugs)
    assert rest["totalCount"] == first["totalCount"]


# -- lookups ----------


def test_node_and_nodes_by_global_id_or_slug(api: httpx.Client) -> None:
    found = data(graphql(api, '{ node(id: "craig-kelly") { id ... on Person { name } } }'))
    global_id = found["node"]["id"]
    assert base64.b64decode(global_id).decode() == "Person:craig-kelly"
    result = data(graphql(
        api, "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Entity { slug kind } } }",
        ids=[global_id, "cuba", "no-such-thing", base64.b64encode(b"Country:craig-kelly").decode()],
    ))  # fmt: skip
    nodes = result["nodes"]
    assert nodes[0]["slug"] == "craig-kelly"
    assert nodes[1] == {"id": base64.b64encode(b"Country:cuba").decode(), "slug": "cuba",
                        "kind": "Country"}  # fmt: skip
    assert nodes[2] is None
    assert nodes[3] is None  # a global id of the wrong type finds nothing
    assert graphql(api, "{ nodes(ids: []) { id } }") == {"data": {"nodes": []}}


def test_documents_with_mentions(api: httpx.Client) -> None:
    body = graphql(api, "{ documents { totalCount edges { node { slug title text } } } }")
    result = data(body)["documents"]
    docs = [e["node"] for e in result["edges"]]
    assert len(docs) == 2 == result["totalCount"]
    assert all(d["text"].startswith(d["title"]) for d in docs)


# -- relationship questions ----------


def test_meetings_between(api: httpx.Client) -> None:
    result = data(
        graphql(
            api,
            """{ meetingsBetween(actors: ["craig-kelly",
      "dagoberto-rodriguez-barrera"]) { totalCount edges { node { slug date { value } } } } }""",
        )
    )
    slugs = {e["node"]["slug"] for e in result["meetingsBetween"]["edges"]}
    assert "migration-talks-washington-2010" in slugs
    bad = graphql(api, "{ meetingsBetween(actors: []) { totalCount } }")
    assert codes(bad) == ["BAD_USER_INPUT"]


def test_issues_a_meeting_discussed_and_an_actor_raised(api: httpx.Client) -> None:
    result = data(
        graphql(
            api,
            """{
      havana: node(id: "migration-talks-havana-2010") { ... on Meeting {
        issues(first: 50) { edges { node { slug } sources { quote } } } } }
      us: node(id: "us-delegation-havana-2010") { ... on Delegation {
        raised { edges { node { slug } sources { quote } } } } }
    }""",
        )
    )
    discussed = {e["node"]["slug"] for e in result["havana"]["issues"]["edges"]}
    assert {"returned-migrants-welfare", "return-of-removed-cuban-nationals"} <= discussed
    raised = result["us"]["raised"]["edges"]
    assert [e["node"]["slug"] for e in raised] == ["alan-gross-detention"]
    assert "humanitarian grounds" in raised[0]["sources"][0]["quote"]


def test_agreement_terms_and_meetings(api: httpx.Client) -> None:
    result = data(
        graphql(
            api,
            """{ agreements { edges { node { slug
      terms { edges { node { name quantity unit period } sources { quote } } }
      parties { edges { node { slug } } }
      meetings { totalCount } } } } }""",
        )
    )
    accords = next(e["node"] for e in result["agreements"]["edges"]
                   if e["node"]["slug"] == "us-cuba-migration-accords-1994")  # fmt: skip
    term = accords["terms"]["edges"][0]
    assert term["node"]["quantity"] == 20000
    assert "20,000 travel documents" in term["sources"][0]["quote"]
    assert {e["node"]["slug"] for e in accords["parties"]["edges"]} == {"cuba", "united-states"}


def test_search_ranks_and_treats_syntax_as_data(api: httpx.Client) -> None:
    hits = data(
        graphql(
            api,
            '{ search(query: "Kelley", match: FUZZY) '
            "{ totalCount edges { score node { slug } } } }",
        )
    )
    assert hits["search"]["edges"][0]["node"]["slug"] == "craig-kelly"
    scores = [e["score"] for e in hits["search"]["edges"]]
    assert scores == sorted(scores, reverse=True)
    only_people = data(graphql(api, '{ search(query: "Havana", kinds: ["Person"]) '
                                    "{ edges { node { kind } } } }"))  # fmt: skip
    assert all(e["node"]["kind"] == "Person" for e in only_people["search"]["edges"])
    for hostile in ['name:"x" OR 1=1', "' OR ''='", "*:* havana", "(((cuba"]:
        body = graphql(api, "query($q: String!) { search(query: $q) { totalCount } }", q=hostile)
        assert "errors" not in body, (hostile, body)
    # No word of two letters or digits: it would match nearly everything.
    for hostile in ["*:*", "})", "(((", "\\", "a", "x y"]:
        body = graphql(api, "query($q: String!) { search(query: $q) { totalCount } }", q=hostile)
        assert codes(body) == ["BAD_USER_INPUT"], (hostile, body)
    bad = graphql(api, '{ search(query: "x", kinds: ["Nope"]) { totalCount } }')
    assert codes(bad) == ["BAD_USER_INPUT"]


def test_timeline_is_ordered_and_bounded(api: httpx.Client) -> None:
    query = """query($from: Date, $to: Date) { timeline(of: "united-states", from: $from, to: $to,
      first: 100) { totalCount edges { date { value precision start } type node { slug } } } }"""
    everything = data(graphql(api, query))["timeline"]
    starts = [e["date"]["start"] for e in everything["edges"]]
    assert starts == sorted(starts) and len(starts) >= 2
    window = data(graphql(api, query, **{"from": "2009-01-01", "to": "2009-12-31"}))["timeline"]
    assert window["totalCount"] < everything["totalCount"]
    assert all(e["date"]["start"].startswith("2009") for e in window["edges"])
    missing = graphql(api, '{ timeline(of: "nobody") { totalCount } }')
    assert codes(missing) == ["NOT_FOUND"]


def test_paths_between_two_people(api: httpx.Client) -> None:
    result = data(
        graphql(
            api,
            """{ paths(from: "craig-kelly", to: "dagoberto-rodriguez-barrera",
      maxHops: 4) { nodes { slug }
      segments { from to type sources { quote document { slug } } } } }""",
        )
    )
    assert result["paths"]
    for path in result["paths"]:
        assert path["nodes"][0]["slug"] == "craig-kelly"
        assert path["nodes"][-1]["slug"] == "dagoberto-rodriguez-barrera"
        assert len(path["segments"]) == len(path["nodes"]) - 1
        for segment in path["segments"]:
            assert segment["sources"], segment
    lengths = {len(p["segments"]) for p in result["paths"]}
    assert len(lengths) == 1  # all shortest
    too_far = graphql(api, '{ paths(from: "a", to: "b", maxHops: 50) { nodes { slug } } }')
    assert codes(too_far) == ["BAD_USER_INPUT"]


def test_a_path_to_an_unknown_entity_names_only_the_unknown_id(api: httpx.Client) -> None:
    # Newcomer review (session 14): both ids were named though one of them exists.
    query = "query($a: ID!, $b: ID!) { paths(from: $a, to: $b) { nodes { slug } } }"
    for ends, message in [
        (("craig-kelly", "nobody"), "no entity with id 'nobody'"),
        (("nobody", "craig-kelly"), "no entity with id 'nobody'"),
        (("nobody", "no-one"), "no entity with id 'nobody' nor 'no-one'"),
    ]:
        body = graphql(api, query, a=ends[0], b=ends[1])
        assert codes(body) == ["NOT_FOUND"], body
        assert [e["message"] for e in body["errors"]] == [message]


def test_neighborhood_is_a_drawable_subgraph(api: httpx.Client) -> None:
    result = data(
        graphql(
            api,
            """{ neighborhood(id: "alan-gross", depth: 2, limit: 30) {
      nodes { slug kind } edges { from to type sources { quote } } } }""",
        )
    )
    graph = result["neighborhood"]
    slugs = {n["slug"] for n in graph["nodes"]}
    assert "alan-gross" in slugs and "alan-gross-detention" in slugs
    assert len(graph["nodes"]) <= 31
    for edge in graph["edges"]:
        assert edge["from"] in slugs and edge["to"] in slugs
    bad = graphql(api, '{ neighborhood(id: "alan-gross", depth: 9) { nodes { slug } } }')
    assert codes(bad) == ["BAD_USER_INPUT"]


# -- execution: one Cypher statement per root field ----------

DEEP = """query DeepFourLevels { people(first: 10) { edges { node { name
  led(first: 5) { edges { role sources { quote document { title } } node { name
    ... on Delegation { meetings(first: 5) { edges { node { name
      issues(first: 10) { edges { node { name raisedBy(first: 5) { edges { node { name } } }
    } } } } } } } } } } } } } }"""


def test_deep_request_runs_exactly_one_cypher_query(api: httpx.Client) -> None:
    before = cypher_queries(api, "DeepFourLevels")
    body = graphql(api, DEEP)
    people = data(body)["people"]["edges"]
    issues = [
        issue
        for person in people
        for led in person["node"]["led"]["edges"]
        for meeting in led["node"].get("meetings", {"edges": []})["edges"]
        for issue in meeting["node"]["issues"]["edges"]
    ]
    assert issues, "the request should reach four levels of related nodes"
    assert cypher_queries(api, "DeepFourLevels") - before == 1


def test_two_root_fields_run_two_queries(api: httpx.Client) -> None:
    before = cypher_queries(api, "TwoRoots")
    data(graphql(api, "query TwoRoots { a: people { totalCount } b: issues { totalCount } }"))
    assert cypher_queries(api, "TwoRoots") - before == 2


# -- limits and errors ----------


def test_depth_limit(api: httpx.Client) -> None:
    nested = "name"
    for _ in range(MAX_DEPTH):
        nested = f"memberOf {{ edges {{ node {{ {nested} }} }} }}"
    body = graphql(api, f"{{ people {{ edges {{ node {{ {nested} }} }} }} }}")
    assert body.get("data") is None
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_alias_limit(api: httpx.Client) -> None:
    aliases = " ".join(f"a{i}: people {{ totalCount }}" for i in range(MAX_ALIASES + 1))
    body = graphql(api, f"{{ {aliases} }}")
    assert body.get("data") is None
    assert "aliases" in body["errors"][0]["message"]


def test_cost_limit(api: httpx.Client) -> None:
    body = graphql(
        api,
        """{ people(first: 100) { edges { node { led(first: 100) { edges {
      node { memberOf(first: 100) { totalCount } } } } } } } }""",
    )
    assert codes(body) == ["QUERY_TOO_COSTLY"]


def test_request_size_limit(api: httpx.Client) -> None:
    response = api.post("/graphql", json={"query": "{ people { totalCount } }" + " " * 200_000})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_syntax_and_validation_errors_are_coded(api: httpx.Client) -> None:
    assert codes(graphql(api, "{ people {")) == ["GRAPHQL_PARSE_FAILED"]
    assert codes(graphql(api, "{ nope }")) == ["GRAPHQL_VALIDATION_FAILED"]


def test_unknown_relationship_type_is_refused(api: httpx.Client) -> None:
    # The types are an enum: anything else is refused by validation, before any Cypher.
    body = graphql(api, '{ node(id: "cuba") { ... on Entity { relationships(types: ["X]->() '
                        'DETACH DELETE n //"]) { totalCount } } } }')  # fmt: skip
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "RelationshipType" in body["errors"][0]["message"], body


def test_metrics_and_graphiql(api: httpx.Client) -> None:
    data(graphql(api, "query MetricsProbe { people { totalCount } }"))
    text = api.get("/metrics").text
    assert 'diplograph_graphql_requests_total{operation="MetricsProbe",outcome="ok"}' in text
    assert "diplograph_neo4j_seconds_bucket" in text
    page = api.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_cors_allows_only_configured_origins(settings: Settings, driver: Driver) -> None:
    from tests.conftest import LiveServer

    configured = settings.model_copy(update={"cors_origins_text": "https://app.example"})
    with LiveServer(configured) as live, httpx.Client(base_url=live.url) as client:
        allowed = client.options("/graphql", headers={
            "origin": "https://app.example", "access-control-request-method": "POST"})  # fmt: skip
        refused = client.options("/graphql", headers={
            "origin": "https://evil.example", "access-control-request-method": "POST"})  # fmt: skip
    assert allowed.headers.get("access-control-allow-origin") == "https://app.example"
    assert "access-control-allow-origin" not in refused.headers


# -- mutations ----------

UPSERT = """mutation($facts: JSON!) { upsertKnowledge(facts: $facts) {
  created { label count } updated { label count } } }"""
NEW_FACTS = {
    "entities": [{
        "id": "test-interpreter", "kind": "Person", "name": "Test Interpreter",
        "sources": [{"document": "committed-to-safe-and-legal-cuban-migration",
                     "quote": "Vice Foreign Minister Dagoberto Rodriguez Barrera"}],
    }],
    "relationships": [{
        "type": "MEMBER_OF", "from": "test-interpreter", "to": "cuban-delegation-washington-2010",
        "sources": [{"document": "committed-to-safe-and-legal-cuban-migration",
                     "quote": "has headed the delegation on the Cuban side"}],
    }],
}  # fmt: skip


def test_mutation_needs_the_token(api: httpx.Client) -> None:
    missing = graphql(api, UPSERT, facts=NEW_FACTS)
    wrong = graphql(api, UPSERT, headers={"authorization": "Bearer nope"}, facts=NEW_FACTS)
    assert codes(missing) == ["UNAUTHENTICATED"]
    assert codes(wrong) == ["UNAUTHENTICATED"]
    after = graphql(api, '{ node(id: "test-interpreter") { id } }')
    assert data(after)["node"] is None


def test_mutation_upserts_with_the_token(api: httpx.Client, driver: Driver) -> None:
    auth = {"authorization": f"Bearer {API_TOKEN}"}
    first = data(graphql(api, UPSERT, headers=auth, facts=NEW_FACTS))["upsertKnowledge"]
    assert {"label": "Person", "count": 1} in first["created"]
    again = data(graphql(api, UPSERT, headers=auth, facts=NEW_FACTS))["upsertKnowledge"]
    assert {"label": "Person", "count": 1} in again["updated"]
    members = data(
        graphql(
            api,
            """{ node(id: "cuban-delegation-washington-2010") {
      ... on Delegation { members { edges { node { slug } } } } } }""",
        )
    )
    assert "test-interpreter" in {e["node"]["slug"] for e in members["node"]["members"]["edges"]}
    driver.execute_query("MATCH (n:Entity {id: 'test-interpreter'}) DETACH DELETE n")


def test_mutation_validates_like_the_loader(api: httpx.Client, driver: Driver) -> None:
    auth = {"authorization": f"Bearer {API_TOKEN}"}
    bad = {
        "entities": [{**NEW_FACTS["entities"][0], "id": "test-bad",  # type: ignore[dict-item]
                      "sources": [{"document": "advancing-the-dialogue-with-cuba",
                                   "quote": "words nobody wrote"}]}],
        "relationships": [{**NEW_FACTS["relationships"][0], "from": "test-bad",  # type: ignore[dict-item]
                           "to": "no-such-delegation"}],
    }  # fmt: skip
    body = graphql(api, UPSERT, headers=auth, facts=bad)
    assert codes(body) == ["BAD_USER_INPUT"]
    message = body["errors"][0]["message"]
    assert "entities[0] (id test-bad)" in message and "does not occur verbatim" in message
    assert "unknown id 'no-such-delegation'" in message
    records, _, _ = driver.execute_query("MATCH (n:Entity {id: 'test-bad'}) RETURN n")
    assert records == []


def test_a_rename_must_be_supported_by_the_records_quote(api: httpx.Client, driver: Driver) -> None:
    auth = {"authorization": f"Bearer {API_TOKEN}"}
    entity = NEW_FACTS["entities"][0]  # its quote: "Vice Foreign Minister Dagoberto ..."
    data(graphql(api, UPSERT, headers=auth, facts={"entities": [entity]}))

    def renamed(**fields: Any) -> dict[str, Any]:
        return graphql(api, UPSERT, headers=auth, facts={"entities": [{**entity, **fields}]})

    def name() -> str:
        records, _, _ = driver.execute_query(
            "MATCH (n:Entity {id: 'test-interpreter'}) RETURN n.name AS name"
        )
        return str(records[0]["name"])

    # Any quote of any document could rename any entity: now the quote must say so.
    unsupported = renamed(name="Someone Else Entirely")
    assert codes(unsupported) == ["BAD_USER_INPUT"], unsupported
    message = unsupported["errors"][0]["message"]
    assert "entities[0] (id test-interpreter)" in message and "name: renaming" in message
    assert "'Test Interpreter' to 'Someone Else Entirely'" in message
    assert name() == "Test Interpreter"
    # The quote contains the new name as whole words (case aside).
    assert "errors" not in renamed(name="Dagoberto RODRIGUEZ Barrera")
    assert name() == "Dagoberto RODRIGUEZ Barrera"
    # An alias the record gives is no support (a throwaway "U" would rename anything), nor
    # a name without a letter or part of a word (".", "Dagob"): hostile review 4.
    for dodge in ({"name": "D. R. Barrera", "aliases": ["Rodriguez Barrera"]},
                  {"name": "."}, {"name": "Dagob"}):  # fmt: skip
        assert "errors" in renamed(**dodge), dodge
        assert name() == "Dagoberto RODRIGUEZ Barrera"
    # The same name needs nothing more (a record adding a source to an entity).
    assert "errors" not in renamed(name="Dagoberto RODRIGUEZ Barrera")
    driver.execute_query("MATCH (n:Entity {id: 'test-interpreter'}) DETACH DELETE n")


def test_the_documented_python_client_works(api: httpx.Client, driver: Driver) -> None:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "docs" / "examples" / "client.py"
    spec = importlib.util.spec_from_file_location("diplograph_client_example", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    client = module.DiplographClient(str(api.base_url), API_TOKEN)
    leaders = client.leaders("us-delegation-washington-2010")
    assert [name for name, _, _ in leaders] == ["Craig Kelly"]
    written = client.add_person(
        "test-client-person", "Test Client Person",
        "advancing-the-dialogue-with-cuba", "Advancing The Dialogue With Cuba",
    )  # fmt: skip
    assert {"label": "Person", "count": 1} in written["created"]
    driver.execute_query("MATCH (n:Entity {id: 'test-client-person'}) DETACH DELETE n")


def test_private_reads_need_the_token(settings: Settings, driver: Driver) -> None:
    from tests.conftest import LiveServer

    private = settings.model_copy(update={"private_reads": True, "api_token": API_TOKEN})
    with LiveServer(private) as live, httpx.Client(base_url=live.url) as client:
        refused = client.post("/graphql", json={"query": "{ people { totalCount } }"})
        allowed = client.post("/graphql", json={"query": "{ people { totalCount } }"},
                              headers={"authorization": f"Bearer {API_TOKEN}"})  # fmt: skip
        health = client.get("/healthz")
        # Hostile review 6: a byte that is not UTF-8 in any header was an unauthenticated 500.
        odd_headers = {"user-agent": b"caf\xe9", "authorization": b"Bearer \xff"}
        odd = client.post(
            "/graphql", json={"query": "{ people { totalCount } }"}, headers=odd_headers
        )
    assert odd.status_code == 401 and odd.json()["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED"
    )
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert allowed.status_code == 200 and allowed.json()["data"]["people"]["totalCount"] > 0
    assert health.status_code == 200


INGEST = """mutation($text: String!) { ingestDocument(text: $text, date: "2010-06-19") {
  slug title created candidates mentions { entity start end text method } } }"""
ARTICLE = """Accessibility links

Breaking News

Talks Continue In Havana

Craig Kelley met Cuban officials again. The arrest of Alan Gross was raised.

XS
SM
MD
LG"""


def test_ingest_document_links_mentions(api: httpx.Client, driver: Driver) -> None:
    auth = {"authorization": f"Bearer {API_TOKEN}"}
    refused = graphql(api, INGEST, text=ARTICLE)
    assert codes(refused) == ["UNAUTHENTICATED"]
    result = data(graphql(api, INGEST, headers=auth, text=ARTICLE))["ingestDocument"]
    assert result["slug"] == "talks-continue-in-havana" and result["created"] is True
    linked = {m["entity"]: m for m in result["mentions"]}
    assert {"craig-kelly", "alan-gross"} <= set(linked)
    query = '{ node(id: "talks-continue-in-havana") { ... on Document { text date { value } } } }'
    stored = data(graphql(api, query))["node"]
    kelly = linked["craig-kelly"]
    assert stored["text"][kelly["start"] : kelly["end"]] == "Craig Kelley"
    assert "Breaking News" not in stored["text"] and stored["date"]["value"] == "2010-06-19"
    empty = graphql(api, INGEST, headers=auth, text="Accessibility links\n\nXS\nSM")
    assert codes(empty) == ["BAD_USER_INPUT"] and "no text is left" in empty["errors"][0]["message"]
    driver.execute_query("MATCH (d:Document {id: 'talks-continue-in-havana'}) DETACH DELETE d")


def test_nested_where_edge_where_and_participant_where(api: httpx.Client) -> None:
    result = data(graphql(api, """query($from: Date) {
      kelly: meetings(where: {participantWhere: {text: "kelley"}}) { edges { node { slug } } }
      nobody: meetings(where: {participantWhere: {text: "no such actor"}}) { totalCount }
      us: node(id: "united-states") { ... on Country {
        all: relationships(first: 100) { totalCount }
        in1994: relationships(edgeWhere: {dateFrom: "1994-01-01", dateTo: "1994-12-31"},
                              first: 100) { totalCount edges { type date { value } } }
        recent: meetings(where: {dateFrom: $from}) { edges { node { slug date { value } } } } } }
    }""", **{"from": "2010-01-01"}))  # fmt: skip
    kelly = {e["node"]["slug"] for e in result["kelly"]["edges"]}
    assert {"migration-talks-havana-2010", "migration-talks-washington-2010"} <= kelly
    assert result["nobody"]["totalCount"] == 0
    us = result["us"]
    assert 0 < us["in1994"]["totalCount"] < us["all"]["totalCount"]
    assert {(e["type"], e["date"]["value"]) for e in us["in1994"]["edges"]} == {
        ("PARTY_TO", "1994")
    }
    assert all(e["node"]["date"]["value"] >= "2010" for e in us["recent"]["edges"])
    bad = graphql(api, '{ meetings(where: {participantWhere: {dateFrom: "July"}}) { totalCount } }')
    assert codes(bad) == ["GRAPHQL_VALIDATION_FAILED"]


def test_root_list_edges_have_no_relationship(api: httpx.Client) -> None:
    # Found by the fuzzer: root lists reuse the edge type of relations.
    edges = data(graphql(api, "{ meetings(first: 2) { edges { type outgoing role } } }"))
    assert edges["meetings"]["edges"] == [{"type": None, "outgoing": None, "role": None}] * 2


# -- field collection (hostile review 5) ----------

CUBA = base64.b64encode(b"Country:cuba").decode()
NAMED = "... on Person { name } ... on Country { name }"


def test_the_same_field_under_fragments_on_different_types_is_fetched_for_each(
    api: httpx.Client,
) -> None:
    listed = data(graphql(api, f"{{ actors(first: 100) {{ edges {{ node {{ __typename {NAMED} "
                               "} } } }"))  # fmt: skip
    nodes = [e["node"] for e in listed["actors"]["edges"]]
    assert {"Person", "Country"} <= {n["__typename"] for n in nodes}
    for node in nodes:
        named = node["__typename"] in ("Person", "Country")
        assert ("name" in node) == named and (not named or node["name"]), node
    one = data(graphql(api, f'{{ node(id: "{CUBA}") {{ {NAMED} }} }}'))
    assert one["node"]["name"] == "Cuba"
    many = data(graphql(api, f'{{ nodes(ids: ["{CUBA}", "craig-kelly"]) {{ {NAMED} }} }}'))
    assert [n["name"] for n in many["nodes"]] == ["Cuba", "Craig Kelly"]
    hits = data(graphql(api, '{ search(query: "cuba", first: 50) { edges { node { __typename '
                             "... on Issue { name } ... on Country { name } } } } }"))  # fmt: skip
    found = [e["node"] for e in hits["search"]["edges"]]
    assert "Country" in {n["__typename"] for n in found}
    assert all(n["name"] for n in found if n["__typename"] in ("Issue", "Country"))


def test_a_field_asked_twice_is_answered_once_with_everything_both_ask(
    api: httpx.Client,
) -> None:
    total = data(graphql(api, "{ people { totalCount } }"))["people"]["totalCount"]
    assert total > 2
    page = data(graphql(api, "{ people(first: 2) { edges { node { name } } } }"))["people"]
    assert len(page["edges"]) == 2
    edges = "people(first: 2) { edges { node { name } } }"
    for document in (
        f"{{ people(first: 2) {{ totalCount }} {edges} }}",
        f"{{ {edges} people(first: 2) {{ totalCount pageInfo {{ hasNextPage }} }} }}",
        f"fragment A on Query {{ people(first: 2) {{ totalCount }} }} {{ {edges} ...A }}",
        f"{{ ... on Query {{ {edges} }} people(first: 2) {{ totalCount }} }}",
    ):
        found = data(graphql(api, document))["people"]
        assert found["totalCount"] == total, document
        assert found["edges"] == page["edges"], document
    more = data(graphql(api, f"{{ {edges} people(first: 2) {{ pageInfo {{ hasNextPage }} }} }}"))
    assert more["people"]["pageInfo"]["hasNextPage"] is True
    # Nested: one connection under fragments on a type and on an interface it implements.
    count = data(
        graphql(api, '{ node(id: "cuba") { ... on Country { meetings { totalCount } } } }')
    )
    count = count["node"]["meetings"]["totalCount"]
    assert count >= 2
    nested = data(graphql(api, '{ node(id: "cuba") { ... on Country { meetings(first: 1) { edges '
                               "{ node { name } } } } ... on Actor { meetings(first: 1) "
                               "{ totalCount } } } }"))  # fmt: skip
    assert nested["node"]["meetings"]["totalCount"] == count
    assert [bool(e["node"]["name"]) for e in nested["node"]["meetings"]["edges"]] == [True]


def test_a_single_relationship_type_is_a_list_of_one(api: httpx.Client) -> None:
    query = (
        '{ node(id: "craig-kelly") { ... on Entity { relationships(types: %s) { totalCount } } } }'
    )
    listed = data(graphql(api, query % "[LED]"))["node"]["relationships"]["totalCount"]
    assert listed >= 1
    assert data(graphql(api, query % "LED"))["node"]["relationships"]["totalCount"] == listed
    variable = (
        'query Q($t: [RelationshipType!]) { node(id: "craig-kelly") { ... on Entity '
        "{ relationships(types: $t) { totalCount } } } }"
    )
    for value in ("LED", ["LED"], ["LED", "LED"]):
        body = graphql(api, variable, t=value)
        assert data(body)["node"]["relationships"]["totalCount"] == listed, value
    # The same in a filter's `relationships` (a list of one item, of one type).
    where = "{ meetings(where: {relationships: %s}) { totalCount } }"
    one = data(graphql(api, where % '{some: {text: "havana"}, types: HELD_IN}'))
    assert one == data(graphql(api, where % '[{some: {text: "havana"}, types: [HELD_IN]}]'))
    assert one["meetings"]["totalCount"] >= 1


def test_sources_asked_twice_on_an_edge_are_one_field(api: httpx.Client) -> None:
    # `sources { document { title } } sources { quote }` on an edge kept only the last copy
    # (a null title: an error), or only the first on a timeline's.
    for document in (
        '{ node(id: "craig-kelly") { ... on Person { led(first: 2) { edges { %s } } } } }',
        '{ timeline(of: "craig-kelly", first: 3) { edges { %s } } }',
        '{ neighborhood(id: "craig-kelly", depth: 1, limit: 5) { edges { %s } } }',
    ):
        once = data(graphql(api, document % "sources { quote document { slug title } }"))
        edges = next(iter(once.values()))
        edges = edges["led"]["edges"] if "led" in edges else edges["edges"]
        assert edges and all(s["document"]["title"] for e in edges for s in e["sources"])
        for twice in (
            "sources { document { slug title } } sources { quote }",
            "sources { quote } sources { document { title } } sources { document { slug } }",
        ):
            assert data(graphql(api, document % twice)) == once, (document, twice)
