"""Identity across sources: the rules on facts built in code, and `resolve` on the real Neo4j
with the curated knowledge plus records shaped as the historian's datasets write them
(document ids `hsg-<dataset>-...`), read back through the API."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
import yaml
from neo4j import Driver

from diplograph.identity import EntityFacts, Period, Plan, Rule
from diplograph.model import Knowledge
from diplograph.settings import Settings
from graph.repository import write_knowledge
from loaders.ingest.documents import prepare_article
from loaders.knowledge import read_knowledge, validate
from services import identity
from services.pipeline import (
    decide_identity,
    ingest_documents,
    resolve_identities,
    undo_resolution,
    write_knowledge_and_mentions,
)
from tests.conftest import graphql
from tests.test_hsg import run_cli
from tests.test_knowledge import in_the_graph, undrawn


def person(id_: str, name: str, source: str, born: int | None = None, died: int | None = None,
           *periods: tuple[int, int, str | None]) -> EntityFacts:  # fmt: skip
    return EntityFacts(
        id_, "Person", name, sources=[source],
        birth=date(born, 1, 1) if born else None, death=date(died, 12, 31) if died else None,
        periods=[Period("post", date(a, 1, 1), date(b, 12, 31), org) for a, b, org in periods],
    )  # fmt: skip


def test_names_tolerate_middle_names_and_initials_only() -> None:
    kelly = person("craig-kelly", "Craig Kelly", "article")
    assert identity.names_fit(kelly, person("x", "Craig Allen Kelly", "hsg-pocom-x"))
    assert identity.names_fit(kelly, person("x", "Craig A. Kelly", "hsg-pocom-x"))
    assert not identity.names_fit(kelly, person("x", "Greg Kelly", "hsg-pocom-x"))
    allen = person("a", "Craig Allen Kelly", "article")
    assert not identity.names_fit(allen, person("x", "Craig Bruce Kelly", "hsg-pocom-x"))


def test_contradicting_careers_are_never_merged() -> None:
    """Same name, but born 29 years apart (the Hoovers), or posts at two organizations at
    once: review, never merge."""
    father = person(
        "hoover-c", "Herbert C. Hoover", "hsg-travels-p", 1874, 1964, (1929, 1933, None)
    )
    son = person("hoover-jr", "Herbert Clark Hoover, Jr.", "hsg-pocom-p", 1903, 1969,
                 (1954, 1957, "state-under-secretary"))  # fmt: skip
    plan = identity.plan([father, son], [], [], {})
    assert plan.merges == []
    assert [r.reason for r in plan.reviews] == [
        "careers contradict: birth 1874 (hoover-c) against 1903 (hoover-jr)"
    ]
    a = person("a", "Ann Lee", "article", None, None, (2001, 2005, "us-mission-chile"))
    b = person("b", "Ann Lee", "hsg-pocom-b", None, None, (2003, 2006, "us-mission-peru"))
    plan = identity.plan([a, b], [], [], {})
    assert plan.merges == [] and "posts overlap" in plan.reviews[0].reason


def test_a_name_fitting_two_records_of_one_source_goes_to_review() -> None:
    kelly = person("craig-kelly", "Craig Kelly", "article", None, None, (2009, 2010, None))
    one = person("kelly-1", "Craig A. Kelly", "hsg-pocom-1", 1953, None, (2004, 2007, "m1"))
    two = person("kelly-2", "Craig B. Kelly", "hsg-pocom-2", 1950, None, (1990, 1995, "m2"))
    plan = identity.plan([kelly, one, two], [], [], {})
    assert plan.merges == []
    assert {(r.a, r.b) for r in plan.reviews} == {
        ("craig-kelly", "kelly-1"),
        ("craig-kelly", "kelly-2"),
    }
    plan = identity.plan([kelly, one, two], [], [], {"craig-kelly|kelly-2": "distinct"})
    assert [(m.survivor, m.absorbed) for m in plan.merges] == [("craig-kelly", "kelly-1")]


# -- in the graph --------------------------------------------------------------------------

HSG: dict[str, Any] = yaml.safe_load("""
entities:
  - {id: kelly-craig-allen, kind: Person, name: Craig Allen Kelly, sources: [
      {document: hsg-pocom-people-kelly-craig-allen, quote: <id>kelly-craig-allen</id>}]}
  - {id: kelly-craig-k, kind: Person, name: Craig K. Kelly, sources: [
      {document: hsg-pocom-people-kelly-craig-k, quote: <id>kelly-craig-k</id>}]}
  - {id: chile, kind: Country, name: Chile, sources: [
      {document: hsg-pocom-missions-countries-chile, quote: <territory-id>chile</territory-id>}]}
  - {id: spain, kind: Country, name: Spain, sources: [
      {document: hsg-travels-secretary-travels-seward, quote: Spain}]}
  - {id: us-mission-chile, kind: Organization, name: U.S. Mission to Chile, sources: [
      {document: hsg-pocom-missions-countries-chile, quote: <territory-id>chile</territory-id>}]}
  - id: state-assistant-secretary-for-western-hemisphere
    kind: Organization
    name: Assistant Secretary of State for Western Hemisphere Affairs
    sources:
      - {document: hsg-pocom-positions-principals-wha,
         quote: <id>assistant-secretary-for-western-hemisphere</id>}
  - {id: havana-cuba, kind: Place, name: Havana, sources: [
      {document: hsg-travels-secretary-travels-kerry, quote: Havana}]}
  - {id: havana-spain, kind: Place, name: Havana (Cuba), sources: [
      {document: hsg-travels-secretary-travels-seward, quote: Havana (Cuba)}]}
relationships:
  - {type: HOLDS_POSITION, from: kelly-craig-allen, to: us-mission-chile, key: cl-2004-kell-01,
     title: Ambassador Extraordinary and Plenipotentiary, start: 2004-09-09, end: 2007-08-03,
     sources: [{document: hsg-pocom-missions-countries-chile, quote: <id>cl-2004-kell-01</id>}]}
  - {type: LOCATED_IN, from: havana-cuba, to: cuba, sources: [
      {document: hsg-travels-secretary-travels-kerry, quote: Havana}]}
  - {type: LOCATED_IN, from: havana-spain, to: spain, sources: [
      {document: hsg-travels-secretary-travels-seward, quote: Havana (Cuba)}]}
""")

HSG_TEXTS = {
    "hsg-pocom-people-kelly-craig-allen": "<id>kelly-craig-allen</id> <birth>1953</birth>",
    "hsg-pocom-people-kelly-craig-k": "<id>kelly-craig-k</id> <birth>1850</birth>",
    "hsg-pocom-missions-countries-chile": "<territory-id>chile</territory-id> "
    "<id>cl-2004-kell-01</id>",
    "hsg-pocom-positions-principals-wha": "<id>assistant-secretary-for-western-hemisphere</id>",
    "hsg-travels-secretary-travels-kerry": "<country>Cuba</country> <locale>Havana</locale>",
    "hsg-travels-secretary-travels-seward": "<country>Spain</country> "
    "<locale>Havana (Cuba)</locale>",
}  # fmt: skip


def load_sources(driver: Driver, settings: Settings) -> None:
    """The curated knowledge, then records as the historian's datasets state them."""
    curated = read_knowledge()
    write_knowledge_and_mentions(driver, settings.neo4j_database, curated)
    from diplograph.model import Document

    docs = [Document(id=i, title=i, text=t) for i, t in HSG_TEXTS.items()]
    known = {e.id: e.kind for e in curated.entities}
    hsg = validate(docs, [("hsg", HSG)], known_kinds=known)
    write_knowledge(driver, settings.neo4j_database, Knowledge(**{**hsg.model_dump(by_alias=True)}))
    driver.execute_query(
        "MATCH (p:Person {id: 'kelly-craig-allen'}) SET p.birth = '1953', "
        "p.birthFrom = date('1953-01-01') "
        "WITH 1 AS x MATCH (q:Person {id: 'kelly-craig-k'}) SET q.birthFrom = date('1850-01-01'), "
        "q.deathTo = date('1920-12-31')",
        database_=settings.neo4j_database,
    )


CRAIG = """{ people(where: {text: "craig"}) { edges { node { slug name aliases
  sources { document { slug } } positions { edges { node { slug } } } } } } }"""


def test_resolve_makes_one_craig_kelly_and_one_havana(
    empty_db: Driver, settings: Settings, api: httpx.Client
) -> None:
    db = settings.neo4j_database
    load_sources(empty_db, settings)
    report = resolve_identities(empty_db, db, write=False)
    result = resolve_identities(empty_db, db)
    assert {(m.absorbed, m.survivor) for m in result.merges} == {
        ("kelly-craig-allen", "craig-kelly"),
        ("havana-cuba", "havana"),
    }
    assert [(link.part, link.whole) for link in result.links] == [
        ("state-assistant-secretary-for-western-hemisphere", "state-western-hemisphere-affairs")
    ]
    # The rules send havana ? havana-spain and craig-kelly ? kelly-craig-k to review, but
    # the merges settle both: each survivor now holds a record of the other end's source,
    # which keeps its own records apart. None is left (test_the_load_summary_...).
    before = {(r.a, r.b): r for r in report.plan.reviews}
    assert before[("havana", "havana-spain")].rule is Rule.PLACE_NAME_COUNTRY
    assert "after kelly-craig-k's death" in before[("craig-kelly", "kelly-craig-k")].reason
    assert result.plan.reviews == []
    merge = next(m for m in result.merges if m.absorbed == "kelly-craig-allen")
    assert merge.rule == "person-name-career" and len(merge.evidence) == 2
    assert "hsg-pocom-people-kelly-craig-allen" in merge.sources

    people = graphql(api, CRAIG)["data"]["people"]["edges"]
    kellys = [p["node"] for p in people if p["node"]["name"] == "Craig Kelly"]
    assert len(kellys) == 1
    kelly = kellys[0]
    assert kelly["slug"] == "craig-kelly"
    assert {"Craig Kelley", "Craig Allen Kelly"} <= set(kelly["aliases"])
    sources = {s["document"]["slug"] for s in kelly["sources"]}
    assert {
        "hsg-pocom-people-kelly-craig-allen",
        "advancing-the-dialogue-with-cuba",
        "committed-to-safe-and-legal-cuban-migration",
    } <= sources
    positions = {e["node"]["slug"] for e in kelly["positions"]["edges"]}
    assert {"us-mission-chile", "state-western-hemisphere-affairs"} <= positions

    # "Havana" in a text about Cuba links to the one Havana; havana-spain waits for review.
    doc = prepare_article_text(
        "Talks on search and rescue\nMedia Note\nMay 2, 2019\n\n"
        "Officials of the United States and Cuba met in Havana on May 1 to discuss maritime "
        "search and rescue. The next round in Havana is planned for the autumn."
    )
    [ingested] = ingest_documents(empty_db, db, [doc])
    havanas = {m.entity_id for m in ingested.analysis.mentions if m.text == "Havana"}
    assert havanas == {"havana"}
    assert ingested.analysis.ambiguities == []

    # A curated reload resets aliases; the next resolve gives the merged names back.
    write_knowledge_and_mentions(empty_db, db, read_knowledge())
    again = resolve_identities(empty_db, db)
    assert again.merged == 0 and len(again.merges) == 2
    records, _, _ = empty_db.execute_query(
        "MATCH (p:Person {id: 'craig-kelly'}) RETURN p.aliases AS a", database_=db
    )
    assert "Craig Allen Kelly" in records[0]["a"]
    # docs/graph-model.md draws every label and type this graph holds (merges, candidates).
    assert {"Merged", "MERGED_INTO", "Candidate", "PROPOSED_IN"} <= in_the_graph(empty_db, db)
    assert undrawn(in_the_graph(empty_db, db)) == set()


def prepare_article_text(text: str) -> Any:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "talks.txt"
        path.write_text(text, encoding="utf-8")
        return prepare_article(path)


def test_undo_restores_both_and_keeps_them_apart(empty_db: Driver, settings: Settings) -> None:
    db = settings.neo4j_database
    load_sources(empty_db, settings)
    before, _, _ = empty_db.execute_query(
        "MATCH (p:Person {id: 'craig-kelly'}) RETURN properties(p) AS p, "
        "COUNT { (p)--() } AS rels", database_=db,
    )  # fmt: skip
    resolve_identities(empty_db, db)
    assert "craig-kelly" in undo_resolution(empty_db, db, "kelly-craig-allen")
    after, _, _ = empty_db.execute_query(
        "MATCH (p:Person {id: 'craig-kelly'}) RETURN properties(p) AS p, "
        "COUNT { (p)--() } AS rels", database_=db,
    )  # fmt: skip
    assert after[0]["p"] == before[0]["p"] and after[0]["rels"] == before[0]["rels"]
    records, _, _ = empty_db.execute_query(
        "MATCH (p:Person:Entity {id: 'kelly-craig-allen'})-[r:HOLDS_POSITION]->(m) "
        "RETURN r.key AS key, m.id AS m, r.mergedFrom AS merged",
        database_=db,
    )
    assert [r.data() for r in records] == [
        {"key": "cl-2004-kell-01", "m": "us-mission-chile", "merged": None}
    ]
    # Kept apart from then on, until the analyst says they are one.
    assert resolve_identities(empty_db, db).merged == 0
    decide_identity(empty_db, db, "craig-kelly", "kelly-craig-allen", same=True)
    redone = resolve_identities(empty_db, db)
    assert redone.merged == 1
    assert any(m.absorbed == "kelly-craig-allen" and m.rule == "analyst" for m in redone.merges)
    # The link of a post to its bureau is undone the same way.
    assert "state-western-hemisphere-affairs" in undo_resolution(
        empty_db, db, "state-assistant-secretary-for-western-hemisphere"
    )
    assert resolve_identities(empty_db, db).links == []
    assert "IdentityDecision" in in_the_graph(empty_db, db)
    assert undrawn(in_the_graph(empty_db, db)) == set()


def left_for_review(output: str) -> int:
    found = re.search(r"(\d+) pair\(s\) left for review", output)
    assert found is not None, output
    return int(found.group(1))


def test_the_load_summary_and_the_report_count_the_same_pairs(
    empty_db: Driver, settings: Settings
) -> None:
    """`diplograph load` says how many pairs it left for review; `resolve --report` on the
    same graph lists exactly those. A visits-dataset Havana of no known country is one
    more for review with each Havana; the merges settle three of the five pairs the rules
    sent to review before them (test_resolve_makes_one_craig_kelly_and_one_havana)."""
    load_sources(empty_db, settings)
    empty_db.execute_query(
        "CREATE (:Entity:Place {id: 'havana-visits', name: 'Havana', aliases: [], "
        "sources: ['hsg-visits-1'], quotes: ['Havana']})",
        database_=settings.neo4j_database,
    )
    before = resolve_identities(empty_db, settings.neo4j_database, write=False)
    assert len(before.plan.reviews) == 5
    load = run_cli(settings, "load")
    assert load.returncode == 0, load.stderr
    assert "2 merged, 1 linked now" in load.stdout
    report = run_cli(settings, "resolve", "--report")
    assert report.returncode == 0, report.stderr
    listed = [line.split()[1:4] for line in report.stdout.splitlines() if line.startswith("review")]
    assert listed == [["havana", "?", "havana-visits"], ["havana-spain", "?", "havana-visits"]]
    assert left_for_review(load.stdout) == left_for_review(report.stdout) == len(listed)
    assert "to merge" not in report.stdout  # the load left nothing for a later run


def test_report_plans_without_writing(empty_db: Driver, settings: Settings) -> None:
    load_sources(empty_db, settings)
    report = resolve_identities(empty_db, settings.neo4j_database, write=False)
    assert len(report.plan.merges) == 2 and report.merges == [] and report.merged == 0
    assert isinstance(report.plan, Plan)


def test_merged_id_answers_with_the_survivor_and_candidates_are_listed_only_when_asked(
    empty_db: Driver, settings: Settings, api: httpx.Client
) -> None:
    load_sources(empty_db, settings)
    resolve_identities(empty_db, settings.neo4j_database)

    # The absorbed id still answers: node(id:) follows the merge record to the survivor
    # (by slug, and by global id: base64 of "Person:kelly-craig-allen").
    query = """{ old: node(id: "kelly-craig-allen") { ... on Person { slug name } }
      typed: node(id: "UGVyc29uOmtlbGx5LWNyYWlnLWFsbGVu") { ... on Person { slug } }
      place: node(id: "havana-cuba") { ... on Place { slug } }
      many: nodes(ids: ["kelly-craig-allen", "craig-kelly", "no-such-id"]) {
        ... on Person { slug } } }"""
    data = graphql(api, query)["data"]
    assert data["old"] == {"slug": "craig-kelly", "name": "Craig Kelly"}
    assert data["typed"] == {"slug": "craig-kelly"}
    assert data["place"] == {"slug": "havana"}
    assert data["many"] == [{"slug": "craig-kelly"}, {"slug": "craig-kelly"}, None]
    # ... and so does every other argument or filter naming an entity: the timeline, paths,
    # the neighbourhood, `relatedTo`, `ids`, `meetingsBetween` (no unknown-id error).
    roots = """{ timeline(of: "kelly-craig-allen") { totalCount }
      now: timeline(of: "craig-kelly") { totalCount }
      paths(from: "kelly-craig-allen", to: "us-mission-chile") { nodes { slug } }
      neighborhood(id: "kelly-craig-allen") { nodes { slug } }
      organizations(where: {relatedTo: "kelly-craig-allen"}) { edges { node { slug } } }
      people(where: {ids: ["kelly-craig-allen", "craig-kelly"]}) { totalCount }
      meetingsBetween(actors: ["kelly-craig-allen"]) { totalCount }
      met: meetingsBetween(actors: ["craig-kelly"]) { totalCount } }"""
    answer = graphql(api, roots)
    assert "errors" not in answer, answer
    old = answer["data"]
    assert old["timeline"]["totalCount"] == old["now"]["totalCount"] > 0
    assert old["paths"] and old["paths"][0]["nodes"][0]["slug"] == "craig-kelly"
    assert old["neighborhood"]["nodes"][0]["slug"] == "craig-kelly"
    assert {"node": {"slug": "us-mission-chile"}} in old["organizations"]["edges"]
    assert old["people"]["totalCount"] == 1
    assert old["meetingsBetween"]["totalCount"] == old["met"]["totalCount"] > 0
    # Undone, the old id is its own node again.
    undo_resolution(empty_db, settings.neo4j_database, "kelly-craig-allen")
    again = graphql(api, '{ node(id: "kelly-craig-allen") { ... on Person { slug } } }')
    assert again["data"]["node"] == {"slug": "kelly-craig-allen"}

    # The historian's unresolved people are candidates: not in people/entities/actors unless
    # the filter asks for them.
    # (as the historian's loader writes one for a name no known person fits)
    query_rows(
        empty_db, settings,
        "CREATE (:Entity:Person {id: 'candidate-hsg-visit-1-nakasone', name: 'Nakasone', "
        "title: 'Foreign Minister', candidate: true, sources: ['hsg-visits-1']})",
    )  # fmt: skip
    [row] = query_rows(
        empty_db, settings, "MATCH (p:Person {candidate: true}) RETURN count(p) AS n"
    )
    assert row["n"] == 1
    lists = """{ people(first: 100) { totalCount edges { node { slug candidate } } }
      entities(where: {text: "nakasone"}) { totalCount }
      actors(where: {text: "nakasone"}) { totalCount }
      asked: people(first: 100, where: {candidate: true}) {
        totalCount edges { node { candidate } } }
      resolved: people(where: {candidate: false}) { totalCount } }"""
    answer = graphql(api, lists)
    assert "errors" not in answer, answer
    data = answer["data"]
    assert not [e for e in data["people"]["edges"] if e["node"]["candidate"]]
    assert data["entities"]["totalCount"] == 0 and data["actors"]["totalCount"] == 0
    assert data["asked"]["totalCount"] == row["n"]
    assert all(e["node"]["candidate"] for e in data["asked"]["edges"])
    assert data["resolved"]["totalCount"] == data["people"]["totalCount"]


def query_rows(driver: Driver, settings: Settings, cypher: str) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(cypher, database_=settings.neo4j_database)
    return [r.data() for r in records]


def test_merge_collapses_parallel_relationships_and_undo_restores_them(
    empty_db: Driver, settings: Settings
) -> None:
    """Both Havanas lie in Cuba: after the merge one LOCATED_IN edge joins Havana and Cuba
    (naming the absorbed record), a fact the two did not share still moves, and an undo
    gives the historian's Havana its own edge back."""
    db = settings.neo4j_database
    load_sources(empty_db, settings)
    empty_db.execute_query(
        "MATCH (h:Place {id: 'havana-cuba'}), (s:Country {id: 'spain'}) "
        "CREATE (h)-[:PART_OF {key: 'x', sources: ['hsg-travels-secretary-travels-kerry'], "
        "quotes: ['Havana']}]->(s)",
        database_=db,
    )
    count = (
        "MATCH (:Place:Entity {id: $id})-[r:LOCATED_IN]->(:Country {id: 'cuba'}) "
        "RETURN count(r) AS n, collect(r.collapsedFrom) AS collapsed"
    )
    resolve_identities(empty_db, db)
    records, _, _ = empty_db.execute_query(count, id="havana", database_=db)
    assert records[0]["n"] == 1 and records[0]["collapsed"] == [["havana-cuba"]]
    moved, _, _ = empty_db.execute_query(
        "MATCH (:Entity {id: 'havana'})-[r:PART_OF]->(:Entity {id: 'spain'}) "
        "RETURN r.mergedFrom AS m",
        database_=db,
    )
    assert [r["m"] for r in moved] == ["havana-cuba"]

    undo_resolution(empty_db, db, "havana-cuba")
    for ident in ("havana", "havana-cuba"):
        records, _, _ = empty_db.execute_query(count, id=ident, database_=db)
        assert records[0]["n"] == 1 and records[0]["collapsed"] == []
    props, _, _ = empty_db.execute_query(
        "MATCH (:Entity {id: 'havana-cuba'})-[r:LOCATED_IN]->() RETURN properties(r) AS p",
        database_=db,
    )
    assert "collapsedInto" not in props[0]["p"]
    assert props[0]["p"]["sources"] == ["hsg-travels-secretary-travels-kerry"]
