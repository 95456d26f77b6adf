"""Closing the review loop: candidates stored with a status and listed through the API,
`review accept` writing them as knowledge that cites the ingested document (with the
post and the meeting the analyst kept), and a review file in a bad shape refused whole.

The text is the suite's own (Chile and Peru, 2019), not one of the evaluation set; it is
the worked example of docs/ingest.md, kept in docs/examples/ so that its commands run as
written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from neo4j import Driver

from diplograph.model import DEFAULT_MEETING_TYPE, Document, Relationship
from diplograph.settings import Settings
from graph.candidates import CandidateFilter, list_candidates
from graph.projection import Page
from graph.repository import count_by_label, count_relationships, documents_by_id
from loaders.accepted import accepted_facts
from loaders.ingest.documents import prepare_article
from loaders.ingest.review import write_review
from loaders.knowledge import KNOWLEDGE_DIR, SOURCES_DIR, LoadError, quote_occurs, read_knowledge
from services.pipeline import accept_review, ingest_documents, write_knowledge_and_mentions
from tests.conftest import API_TOKEN, graphql, wipe
from tests.test_hsg import run_cli

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
EXAMPLE = EXAMPLES / "lima-media-note.txt"
REVIEWED = EXAMPLES / "lima-media-note-reviewed.yaml"
TEXT = EXAMPLE.read_text(encoding="utf-8")
DOC = "chile-and-peru-hold-fisheries-talks-in-lima"
PERSON = "maria-delgado-fuentes"
MEETING = "chile-peru-fisheries-talks-2019-04"
POST_QUOTE = (
    "Deputy Assistant Secretary of State for Western Hemisphere Affairs Maria Delgado Fuentes"
)
MET_QUOTE = "Maria Delgado Fuentes observed the talks between Chile and Peru"


def ingest(driver: Driver, settings: Settings, tmp_path: Path) -> Path:
    """The curated knowledge, then the text ingested; returns its review file."""
    write_knowledge_and_mentions(driver, settings.neo4j_database, read_knowledge())
    path = tmp_path / "lima.txt"
    path.write_text(TEXT, encoding="utf-8")
    [result] = ingest_documents(driver, settings.neo4j_database, [prepare_article(path)])
    assert result.analysis.document.id == DOC
    return write_review(tmp_path / "review.yaml", result.analysis)


def curated_copy(tmp_path: Path) -> Path:
    """A copy of data/knowledge to accept into, as docs/ingest.md's worked example does."""
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for path in KNOWLEDGE_DIR.glob("*.yaml"):
        (knowledge / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return knowledge


def dated_candidate(review: Path) -> str:
    """The id ingest gave the candidate the analyst makes the meeting."""
    data: dict[str, Any] = yaml.safe_load(review.read_text(encoding="utf-8"))
    return str(next(e["id"] for e in data["entities"] if e["kind"] in ("Meeting", "Event")))


def edit(review: Path) -> Path:
    """What the analyst does: keep the person, make the dated candidate the meeting, and
    add the post and the attendance the text states."""
    data: dict[str, Any] = yaml.safe_load(review.read_text(encoding="utf-8"))
    person = next(e for e in data["entities"] if e["id"] == PERSON)
    dated = next(e for e in data["entities"] if e["kind"] in ("Meeting", "Event"))
    dated.update(id=MEETING, kind="Meeting", name="Chile-Peru fisheries talks, Lima, April 2019")
    # As docs/ingest.md's worked example: the analyst rewrote the record, no `properties`.
    dated.pop("properties", None)
    data["entities"] = [person, dated]
    data["relationships"] = [
        {"type": "HOLDS_POSITION", "from": PERSON, "to": "state-western-hemisphere-affairs",
         "title": "Deputy Assistant Secretary of State for Western Hemisphere Affairs",
         "sources": [{"document": DOC, "quote": POST_QUOTE}]},
        {"type": "ATTENDED", "from": PERSON, "to": MEETING, "role": "observer",
         "sources": [{"document": DOC, "quote": MET_QUOTE}]},
    ]  # fmt: skip
    edited = review.with_name("edited.yaml")
    edited.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return edited


PERSON_QUERY = """query($id: ID!) { node(id: $id) { ... on Person { slug name
  sources { quote document { slug } }
  positions { edges { title node { slug } sources { quote document { slug } } } }
  meetings { edges { role node { slug name } sources { quote } } } } } }"""

MEETING_TYPES = """query($id: ID!) { node(id: $id) { ... on Meeting { meetingType } }
  rounds: meetings(where: {meetingType: {eq: ROUND}}) { edges { node { slug } } }
  meetings { aggregate { count byMeetingType { key count } } } }"""

CANDIDATES = """query($doc: String, $status: String) {
  candidates(document: $doc, status: $status) {
    slug kind name status entity quotes proposedName proposedKind } }"""


def test_accepting_a_candidate_puts_a_person_with_a_post_and_a_meeting_in_the_graph(
    empty_db: Driver, settings: Settings, api: httpx.Client, tmp_path: Path
) -> None:
    db = settings.neo4j_database
    review = ingest(empty_db, settings, tmp_path)
    proposed = graphql(api, CANDIDATES, doc=DOC)["data"]["candidates"]
    assert PERSON in {c["slug"] for c in proposed}
    assert {c["status"] for c in proposed} == {"proposed"}
    # Candidates are no entities: `people` leaves them out.
    people = graphql(api, '{ people(where: {text: "Delgado"}) { edges { node { slug } } } }')
    assert people["data"]["people"]["edges"] == []

    # Accepting into a folder without the curated knowledge would leave a file that
    # `diplograph load` cannot load on a fresh machine: refused, nothing written.
    before = count_by_label(empty_db, db), count_relationships(empty_db, db)
    with pytest.raises(LoadError, match="'to' is 'state-western-hemisphere-affairs'"):
        accept_review(empty_db, db, edit(review), tmp_path / "bare", None)
    assert (count_by_label(empty_db, db), count_relationships(empty_db, db)) == before
    assert not (tmp_path / "bare").exists()

    knowledge = curated_copy(tmp_path)
    done = accept_review(empty_db, db, edit(review), knowledge, None)
    assert done.ids == [PERSON, MEETING]
    assert done.file == knowledge / f"accepted-{DOC}.yaml"

    person = graphql(api, PERSON_QUERY, id=PERSON)["data"]["node"]
    assert person["name"] == "Maria Delgado Fuentes"
    assert {s["document"]["slug"] for s in person["sources"]} == {DOC}
    [post] = person["positions"]["edges"]
    assert post["node"]["slug"] == "state-western-hemisphere-affairs"
    assert post["sources"] == [{"quote": POST_QUOTE, "document": {"slug": DOC}}]
    [meeting] = person["meetings"]["edges"]
    assert meeting["node"]["slug"] == MEETING and meeting["role"] == "observer"
    assert meeting["sources"] == [{"quote": MET_QUOTE}]

    # The accepted meeting has a type, as every loaded meeting does: the `meetingType`
    # filter finds it and `byMeetingType` counts every meeting (docs/examples 34 and 40).
    typed = graphql(api, MEETING_TYPES, id=MEETING)["data"]
    assert typed["node"]["meetingType"] == DEFAULT_MEETING_TYPE == "round"
    assert MEETING in {e["node"]["slug"] for e in typed["rounds"]["edges"]}
    groups = typed["meetings"]["aggregate"]
    assert sum(g["count"] for g in groups["byMeetingType"]) == groups["count"]
    assert {"key": "round", "count": 4} in groups["byMeetingType"]  # 3 curated rounds + this
    kept = yaml.safe_load(done.file.read_text(encoding="utf-8"))
    assert next(e for e in kept["entities"] if e["id"] == MEETING)["properties"] == {
        "meetingType": "round"
    }

    statuses = {c["slug"]: c for c in graphql(api, CANDIDATES, doc=DOC)["data"]["candidates"]}
    assert statuses[PERSON]["status"] == "accepted" and statuses[PERSON]["entity"] == PERSON
    accepted = graphql(api, CANDIDATES, status="accepted")["data"]["candidates"]
    # The dated candidate, renamed in review, is listed as itself, accepted as the meeting;
    # no nameless candidate of the new id appears.
    renamed = dated_candidate(review)
    assert {c["slug"]: c["entity"] for c in accepted} == {PERSON: PERSON, renamed: MEETING}
    assert all(c["name"] and c["kind"] for c in statuses.values())
    # It is listed under the name and kind it was accepted under, and keeps the proposed.
    proposed_as = next(c for c in proposed if c["slug"] == renamed)
    assert statuses[renamed] | {"quotes": None} == {
        "slug": renamed, "kind": "Meeting", "name": "Chile-Peru fisheries talks, Lima, April 2019",
        "status": "accepted", "entity": MEETING, "quotes": None,
        "proposedName": proposed_as["name"], "proposedKind": proposed_as["kind"],
    }  # fmt: skip
    assert proposed_as["name"] != statuses[renamed]["name"]
    assert statuses[PERSON]["proposedName"] == statuses[PERSON]["name"] == "Maria Delgado Fuentes"
    bad_status = graphql(api, CANDIDATES, status="maybe")
    assert "'status' must be one of" in bad_status["errors"][0]["message"]

    # The accepted file is knowledge like any other: the loader knows the ingested
    # document it cites (from the graph), and reloading changes nothing.
    def stored(ids: list[str]) -> list[Document]:
        return documents_by_id(empty_db, db, ids)

    again = read_knowledge(SOURCES_DIR, knowledge, stored=stored)
    assert {PERSON, MEETING} <= {e.id for e in again.entities}
    assert DOC not in {d.id for d in again.documents}  # cited, not rewritten
    before = count_by_label(empty_db, db), count_relationships(empty_db, db)
    write_knowledge_and_mentions(empty_db, db, again)
    assert (count_by_label(empty_db, db), count_relationships(empty_db, db)) == before

    # Newcomer review: on a fresh database (a new clone, `make clean`) the ingested
    # document is not in the graph, and the load refused every knowledge file. Accept kept
    # a copy of it beside the knowledge; the load restores it, and the facts quote it.
    copy = knowledge / "documents" / f"{DOC}.yaml"
    assert yaml.safe_load(copy.read_text(encoding="utf-8"))["id"] == DOC
    wipe(empty_db, settings)
    fresh = read_knowledge(SOURCES_DIR, knowledge, stored=stored)
    assert DOC in {d.id for d in fresh.documents}
    write_knowledge_and_mentions(empty_db, db, fresh)
    person = graphql(api, PERSON_QUERY, id=PERSON)["data"]["node"]
    assert person["positions"]["edges"][0]["sources"] == [
        {"quote": POST_QUOTE, "document": {"slug": DOC}}
    ]
    # A kept copy in a bad shape is named, and nothing loads.
    copy.write_text("id: other-id\ntitle: T\ntext: T\n", encoding="utf-8")
    with pytest.raises(LoadError, match="not the file's name"):
        read_knowledge(SOURCES_DIR, knowledge, stored=lambda ids: [])


def test_ingest_document_returns_its_candidates(
    empty_db: Driver, settings: Settings, api: httpx.Client
) -> None:
    write_knowledge_and_mentions(empty_db, settings.neo4j_database, read_knowledge())
    body = graphql(
        api,
        "mutation($text: String!) { ingestDocument(text: $text) { slug candidates "
        "proposals { slug kind status quotes } } }",
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        text=TEXT,
    )
    result = body["data"]["ingestDocument"]
    assert result["candidates"] == len(result["proposals"]) > 0
    person = next(p for p in result["proposals"] if p["slug"] == PERSON)
    assert person["status"] == "proposed" and POST_QUOTE in person["quotes"][0]
    listed = graphql(api, CANDIDATES, doc=result["slug"])["data"]["candidates"]
    assert {c["slug"] for c in listed} == {p["slug"] for p in result["proposals"]}


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda d: d.update(entities="everyone"), "entities: must be a list"),
        (lambda d: d["entities"].append(3), "entities[2]: must be a mapping"),
        (lambda d: d["entities"][0].update(kind="Persn"), "field 'kind'"),
        (lambda d: d["entities"][0]["sources"][0].update(quote="words not in the text"),
         "does not occur verbatim"),
        (lambda d: d.pop("document"), "document: field 'id'"),
        (lambda d: d["document"].update(id="another-document"),
         "document: field 'id': 'another-document', but every candidate quotes document"),
        (lambda d: d["relationships"][0].update(to="nowhere"), "unknown id 'nowhere'"),
        # Hostile review 5: a traceback, a candidate ingest never proposed, one kept twice.
        (lambda d: d["entities"][0].update(properties={"id": "cuba", "slug": "cuba"}),
         "properties may not set ['id', 'slug'] (managed by diplograph)"),
        (lambda d: d["entities"].append({**d["entities"][0], "id": "ghost-entity",
                                         "review": {"known": True}}),
         "entities (id ghost-entity): field 'review.known': true, but the graph holds no entity"),
        (lambda d: d["entities"].append({**d["entities"][0], "id": "maria-twice"}),
         "field 'review.candidate': 'maria-delgado-fuentes' is kept already as "
         "'maria-delgado-fuentes'"),
    ],
)  # fmt: skip
def test_a_review_file_in_a_bad_shape_names_the_problem_and_writes_nothing(
    empty_db: Driver, settings: Settings, tmp_path: Path, mangle: Any, message: str
) -> None:
    db = settings.neo4j_database
    review = edit(ingest(empty_db, settings, tmp_path))
    data = yaml.safe_load(review.read_text(encoding="utf-8"))
    mangle(data)
    review.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = count_by_label(empty_db, db), count_relationships(empty_db, db)
    with pytest.raises(LoadError) as raised:
        accept_review(empty_db, db, review, tmp_path / "knowledge", None)
    assert str(review) in str(raised.value) and message in str(raised.value)
    assert (count_by_label(empty_db, db), count_relationships(empty_db, db)) == before
    assert not (tmp_path / "knowledge").exists()


def test_a_review_file_with_a_key_given_twice_is_refused_at_its_line(
    empty_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    """YAML keeps the last of two equal keys silently: the analyst's first edit would vanish."""
    review = edit(ingest(empty_db, settings, tmp_path))
    lines = review.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("name:"))
    lines.insert(at + 1, lines[at])
    review.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(LoadError) as raised:
        accept_review(empty_db, settings.neo4j_database, review, tmp_path / "knowledge", None)
    assert f"{review}: line {at + 2}: not valid YAML (the key 'name' is given twice)" in str(
        raised.value
    )
    assert not (tmp_path / "knowledge").exists()


def test_cli_review_accept_only_the_person(
    empty_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    review = ingest(empty_db, settings, tmp_path)
    data = yaml.safe_load(review.read_text(encoding="utf-8"))
    data["relationships"] = [
        {"type": "HOLDS_POSITION", "from": PERSON, "to": "state-western-hemisphere-affairs",
         "sources": [{"document": DOC, "quote": POST_QUOTE}]},
    ]  # fmt: skip
    review.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    knowledge = curated_copy(tmp_path)
    done = run_cli(
        settings, "review", "accept", str(review), "--only", PERSON, "--knowledge", str(knowledge)
    )
    assert done.returncode == 0, done.stderr
    assert f"Kept in {knowledge / f'accepted-{DOC}.yaml'}: {PERSON}" in done.stdout
    assert "1 created, 0 already in the graph" in " ".join(done.stdout.split())
    assert f"Created: {PERSON}" in done.stdout
    # Accepted again: the person is in the graph now; counted as such, not as created.
    again = run_cli(
        settings, "review", "accept", str(review), "--only", PERSON, "--knowledge", str(knowledge)
    )
    assert again.returncode == 0, again.stderr
    assert "0 created, 1 already in the graph" in " ".join(again.stdout.split())
    assert "Created:" not in again.stdout
    assert f"nothing created): {PERSON}" in " ".join(again.stdout.split())
    kept = yaml.safe_load((knowledge / f"accepted-{DOC}.yaml").read_text(encoding="utf-8"))
    assert [e["id"] for e in kept["entities"]] == [PERSON]
    assert "review" not in kept["entities"][0]
    bad = run_cli(settings, "review", "accept", str(review), "--only", "nobody")
    assert bad.returncode == 1
    assert "--only: no candidate with id 'nobody'" in bad.stderr


def test_an_entity_the_analyst_added_is_reported_as_such_not_as_a_candidate(
    empty_db: Driver, settings: Settings, api: httpx.Client, tmp_path: Path
) -> None:
    """The analyst keeps the person and adds an issue by hand: only the person is an
    accepted candidate; the issue is reported as added, created the first time and already
    in the graph the second."""
    db = settings.neo4j_database
    review = ingest(empty_db, settings, tmp_path)
    data = yaml.safe_load(review.read_text(encoding="utf-8"))
    issue = {
        "id": "chile-peru-fisheries-cooperation", "kind": "Issue",
        "name": "Chile-Peru fisheries cooperation",
        "sources": [{"document": DOC, "quote": "fisheries cooperation"}],
    }  # fmt: skip
    data["entities"] = [e for e in data["entities"] if e["id"] == PERSON] + [issue]
    review.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    knowledge = curated_copy(tmp_path)
    done = run_cli(settings, "review", "accept", str(review), "--knowledge", str(knowledge))
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert (
        f"Accepted 1 candidate(s) of {DOC}: 1 created, 0 already in the graph; "
        "1 entity(ies) added by the analyst"
    ) in out
    assert f"Created: {PERSON}" in out
    assert (
        "Added by the analyst (not an ingest candidate), created: chile-peru-fisheries-cooperation"
    ) in out
    accepted = graphql(api, CANDIDATES, status="accepted")["data"]["candidates"]
    assert [(c["slug"], c["entity"]) for c in accepted] == [(PERSON, PERSON)]
    connection = graphql(api, "{ candidatesConnection { edges { node { slug } } } }")
    listed = {e["node"]["slug"] for e in connection["data"]["candidatesConnection"]["edges"]}
    assert PERSON in listed and issue["id"] not in listed
    node = graphql(api, f'{{ node(id: "{issue["id"]}") {{ ... on Issue {{ name }} }} }}')
    assert node["data"]["node"] == {"name": "Chile-Peru fisheries cooperation"}

    again = run_cli(settings, "review", "accept", str(review), "--knowledge", str(knowledge))
    assert again.returncode == 0, again.stderr
    out = " ".join(again.stdout.split())
    assert "Accepted 1 candidate(s) of" in out and "0 created, 1 already in the graph" in out
    assert (
        "Added by the analyst (not an ingest candidate), already in the graph (this document "
        "added to their sources, nothing created): chile-peru-fisheries-cooperation"
    ) in out
    assert "Created:" not in out and ", created:" not in out

    # A record for an entity another knowledge file defines would be defined twice, which
    # `diplograph load` refuses: refused here, nothing written.
    data["entities"].append(
        {"id": "state-western-hemisphere-affairs", "kind": "Organization",
         "name": "Western Hemisphere Affairs (U.S. Department of State)",
         "sources": [{"document": DOC, "quote": POST_QUOTE}]}
    )  # fmt: skip
    review.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = count_by_label(empty_db, db), count_relationships(empty_db, db)
    kept = (knowledge / f"accepted-{DOC}.yaml").read_text(encoding="utf-8")
    with pytest.raises(LoadError) as raised:
        accept_review(empty_db, db, review, knowledge, None)
    assert (
        "entities[2] (id state-western-hemisphere-affairs): Organization 'Western Hemisphere "
        "Affairs (U.S. Department of State)': the id 'state-western-hemisphere-affairs' is "
        f"defined in {knowledge / 'actors.yaml'} already"
    ) in str(raised.value)
    # What to do, for either reading of the clash: the same thing, or another one.
    assert "delete this record and relate to" in str(raised.value)
    assert "give this record a new id (keep its `review: candidate:` line" in str(raised.value)
    assert (count_by_label(empty_db, db), count_relationships(empty_db, db)) == before
    assert (knowledge / f"accepted-{DOC}.yaml").read_text(encoding="utf-8") == kept
    # What was accepted loads as knowledge.
    read_knowledge(SOURCES_DIR, knowledge, stored=lambda ids: documents_by_id(empty_db, db, ids))


def test_an_accepted_candidate_keeps_its_accepted_name_when_the_text_is_ingested_again(
    empty_db: Driver, settings: Settings, api: httpx.Client, tmp_path: Path
) -> None:
    db = settings.neo4j_database
    review = ingest(empty_db, settings, tmp_path)
    data = yaml.safe_load(review.read_text(encoding="utf-8"))
    [lima] = [e for e in data["entities"] if e["id"] == "lima"]
    lima.update(id="lima-peru", name="Lima, Peru")
    data["entities"] = [lima]
    review.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    accept_review(empty_db, db, review, curated_copy(tmp_path), None)
    # The text again: "Lima" does not name "Lima, Peru", so ingest proposes it again.
    again = tmp_path / "again.txt"
    again.write_text(TEXT, encoding="utf-8")
    [result] = ingest_documents(empty_db, db, [prepare_article(again)])
    assert "lima" in {c.id for c in result.analysis.candidates}
    [listed] = [c for c in graphql(api, CANDIDATES, doc=DOC)["data"]["candidates"]
                if c["slug"] == "lima"]  # fmt: skip
    assert (listed["status"], listed["name"], listed["proposedName"], listed["entity"]) == (
        "accepted",
        "Lima, Peru",
        "Lima",
        "lima-peru",
    )


CONNECTION = """query($where: CandidateWhere, $order: [CandidateOrder!], $first: Int,
    $after: String, $last: Int) {
  candidatesConnection(where: $where, orderBy: $order, first: $first, after: $after,
                       last: $last) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { slug kind name status } } } }"""


def test_candidates_connection_filters_orders_and_pages_in_cypher(
    empty_db: Driver, settings: Settings, api: httpx.Client, tmp_path: Path
) -> None:
    ingest(empty_db, settings, tmp_path)

    def page(**variables: Any) -> dict[str, Any]:
        body = graphql(api, CONNECTION, **variables)
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]["candidatesConnection"]
        return result

    every = page(where={"document": DOC})
    slugs = [e["node"]["slug"] for e in every["edges"]]
    # What ingest proposes is the rules' business (test_ingest_*); here: what it stored.
    assert every["totalCount"] == len(slugs) >= 5
    assert {"chile", "peru", "lima", "maria-delgado-fuentes"} <= set(slugs)
    # The short form lists the same, in the same order (document, then name).
    short = graphql(api, CANDIDATES, doc=DOC)["data"]["candidates"]
    assert [c["slug"] for c in short] == slugs

    # Page by page, each cursor leading to the next: the same candidates, once each.
    seen: list[str] = []
    after = None
    while True:
        one = page(where={"document": DOC}, first=2, after=after)
        seen += [e["node"]["slug"] for e in one["edges"]]
        assert one["totalCount"] == len(slugs)
        assert one["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not one["pageInfo"]["hasNextPage"]:
            break
        after = one["pageInfo"]["endCursor"]
    assert seen == slugs
    # Without `totalCount` nothing is counted: one row more than the page tells what follows.
    probed = graphql(api, "{ candidatesConnection(first: 4) { pageInfo { hasNextPage } } }")
    assert probed["data"]["candidatesConnection"]["pageInfo"]["hasNextPage"] is True
    tail = page(where={"document": DOC}, last=2)
    assert [e["node"]["slug"] for e in tail["edges"]] == slugs[-2:]
    assert tail["pageInfo"]["hasPreviousPage"] and not tail["pageInfo"]["hasNextPage"]

    countries = page(where={"kind": "Country"}, order=[{"field": "NAME", "direction": "DESC"}])
    assert [e["node"]["name"] for e in countries["edges"]] == ["Peru", "Chile"]
    lima = page(where={"text": "LIMA", "status": "proposed"})
    assert {e["node"]["slug"] for e in lima["edges"]} == {"lima", dated_candidate_id(slugs)}
    assert page(where={"status": "accepted"})["totalCount"] == 0
    assert page(where={"document": "no-such-document"})["edges"] == []

    for variables, message in (
        ({"where": {"kind": "Persn"}}, "unknown kind 'Persn'"),
        ({"where": {"status": "maybe"}}, "'status' must be one of"),
        ({"after": "not-a-cursor"}, "invalid cursor"),
        ({"first": 101}, "'first' must be between 0 and 100"),
    ):
        body = graphql(api, CONNECTION, **variables)
        [error] = body["errors"]
        assert message in error["message"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"


def dated_candidate_id(slugs: list[str]) -> str:
    return next(s for s in slugs if s.startswith("meeting-"))


def test_the_candidates_statement_counts_only_when_asked_and_depends_on_the_shape() -> None:
    one = list_candidates(CandidateFilter(document="a", text="x"), [], Page(limit=20), False)
    other = list_candidates(CandidateFilter(kind="Person"), [], Page(limit=5), False)
    assert one.cypher == other.cypher and "COUNT {" not in one.cypher
    counted = list_candidates(CandidateFilter(), [], Page(limit=20), True)
    assert "COUNT {" in counted.cypher
    assert "'a'" not in one.cypher and "a" in one.params.values()


def test_an_accepted_meeting_keeps_the_type_it_carried_else_gets_the_default(
    tmp_path: Path,
) -> None:
    """No Neo4j: what `accepted_facts` makes of a review file's meetings."""
    source = [{"document": DOC, "quote": MET_QUOTE}]
    review = tmp_path / "review.yaml"
    review.write_text(yaml.safe_dump({
        "document": {"id": DOC},
        "entities": [
            {"id": "carried", "kind": "Meeting", "name": "A trip", "sources": source,
             "properties": {"meetingType": "trip", "status": "planned"}},
            {"id": "rewritten", "kind": "Meeting", "name": "Talks", "sources": source},
            {"id": "event", "kind": "Event", "name": "A signing", "sources": source},
        ],
    }), encoding="utf-8")  # fmt: skip
    entities = {e["id"]: e for e in accepted_facts(review).facts["entities"]}
    assert entities["carried"]["properties"] == {"meetingType": "trip", "status": "planned"}
    assert entities["rewritten"]["properties"] == {"meetingType": DEFAULT_MEETING_TYPE}
    assert "properties" not in entities["event"]


# -- what a candidate carries: a meeting's place and participants, a delegation's leader and
# country, written by `review accept` as the relationships every loaded one has -------------

DELEGATION_TEXT = """\
United States and Peru Hold Fisheries Talks in Washington
Media Note
Office of the Spokesperson
May 9, 2019

The U.S. delegation, led by Deputy Assistant Secretary of State for Western Hemisphere \
Affairs Maria Delgado Fuentes, met a Peruvian delegation headed by Vice Minister of \
Production Jorge Salas Arenas in Washington on May 8, 2019. The delegations discussed \
fisheries cooperation.
"""
US_DELEGATION = "u-s-delegation-led-by-maria-delgado-fuentes"
TALKS = "us-peru-fisheries-talks-2019-05"

PROPOSALS = """mutation($text: String!) { ingestDocument(text: $text) { slug warnings
  proposals { slug kind place { slug name candidate }
              participants { slug name candidate } } } }"""

CARRIED = """query($meeting: ID!, $delegation: ID!) {
  meeting: node(id: $meeting) { ... on Meeting { name
    places { edges { node { slug } sources { quote } } }
    participants { edges { node { slug } } } } }
  delegation: node(id: $delegation) { ... on Delegation {
    leaders { edges { node { slug } } } represents { slug } } } }"""


def test_review_accept_writes_the_place_participants_leader_and_country_a_candidate_carried(
    empty_db: Driver, settings: Settings, api: httpx.Client, tmp_path: Path
) -> None:
    db = settings.neo4j_database
    write_knowledge_and_mentions(empty_db, db, read_knowledge())
    body = graphql(
        api, PROPOSALS, headers={"Authorization": f"Bearer {API_TOKEN}"}, text=DELEGATION_TEXT
    )
    assert "errors" not in body, body
    result = body["data"]["ingestDocument"]
    doc = result["slug"]
    assert result["warnings"] == []  # dated by its header line
    # The meeting names its place (an entity the graph holds) and its participants (other
    # candidates of the document, by id, with their names), through the API ...
    meeting = next(p for p in result["proposals"] if p["kind"] == "Meeting")
    assert meeting["place"] == {"slug": "washington", "name": "Washington", "candidate": False}
    participants = {(p["slug"], p["name"], p["candidate"]) for p in meeting["participants"]}
    assert {
        (PERSON, "Maria Delgado Fuentes", True),
        (US_DELEGATION, "U.S. delegation led by Maria Delgado Fuentes", True),
    } <= participants
    listed = graphql(
        api, CANDIDATES.replace("proposedKind", "proposedKind place { slug }"), doc=doc
    )
    by_slug = {c["slug"]: c for c in listed["data"]["candidates"]}
    assert by_slug[meeting["slug"]]["place"] == {"slug": "washington"}

    # ... and in the review file: names in the `review:` block, and the relationships.
    source = tmp_path / "washington.txt"
    source.write_text(DELEGATION_TEXT, encoding="utf-8")
    review = tmp_path / "review.yaml"
    done = run_cli(settings, "ingest", str(source), "--review", str(review))
    assert done.returncode == 0, done.stderr
    assert f"{doc} (unchanged)" in done.stdout
    data: dict[str, Any] = yaml.safe_load(review.read_text(encoding="utf-8"))
    entities = {e["id"]: e for e in data["entities"]}
    delegation = entities[US_DELEGATION]
    assert "properties" not in delegation  # leader and country are relationships now
    assert delegation["review"]["leader"] == {
        "id": PERSON,
        "name": "Maria Delgado Fuentes",
        "candidate": True,
    }
    assert delegation["review"]["country"] == {"id": "united-states", "name": "United States"}
    assert entities[meeting["slug"]]["review"]["place"] == {
        "id": "washington",
        "name": "Washington",
    }
    for rel in data["relationships"]:  # knowledge records, quoting the text verbatim
        checked = Relationship.model_validate(rel)
        assert all(quote_occurs(s.quote, DELEGATION_TEXT) for s in checked.sources)
    carried = {(r["type"], r["from"], r["to"]) for r in data["relationships"]}
    assert {
        ("HELD_IN", meeting["slug"], "washington"),
        ("ATTENDED", PERSON, meeting["slug"]),
        ("ATTENDED", US_DELEGATION, meeting["slug"]),
        ("LED", PERSON, US_DELEGATION),
        ("REPRESENTS", US_DELEGATION, "united-states"),
    } <= carried

    # The analyst keeps the person, the delegation and the meeting (renamed: the
    # relationships follow its `review: candidate:` id), and deletes the rest; a
    # relationship to a candidate not kept (the bureau's attendance aside) waits.
    entities[meeting["slug"]].update(id=TALKS, name="U.S.-Peru fisheries talks, May 2019")
    data["entities"] = [entities[i] for i in (PERSON, US_DELEGATION, meeting["slug"])]
    data["relationships"] = [
        r for r in data["relationships"] if r["from"] != "state-western-hemisphere-affairs"
    ]
    review.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    knowledge = curated_copy(tmp_path)
    done = run_cli(settings, "review", "accept", str(review), "--knowledge", str(knowledge))
    assert done.returncode == 0, done.stderr

    node = graphql(api, CARRIED, meeting=TALKS, delegation=US_DELEGATION)["data"]
    assert [e["node"]["slug"] for e in node["meeting"]["places"]["edges"]] == ["washington"]
    assert node["meeting"]["places"]["edges"][0]["sources"][0]["quote"].startswith(
        "The U.S. delegation, led by"
    )
    assert {e["node"]["slug"] for e in node["meeting"]["participants"]["edges"]} == {
        PERSON,
        US_DELEGATION,
    }
    assert [e["node"]["slug"] for e in node["delegation"]["leaders"]["edges"]] == [PERSON]
    assert node["delegation"]["represents"] == {"slug": "united-states"}
    props, _, _ = empty_db.execute_query(
        "MATCH (d:Delegation {id: $id}) RETURN d.leader AS leader, d.country AS country",
        id=US_DELEGATION, database_=db,
    )  # fmt: skip
    assert (props[0]["leader"], props[0]["country"]) == (None, None)
    kept = yaml.safe_load((knowledge / f"accepted-{doc}.yaml").read_text(encoding="utf-8"))
    assert ("HELD_IN", TALKS, "washington") in {
        (r["type"], r["from"], r["to"]) for r in kept["relationships"]
    }


# -- a kept document restores the very node ingest wrote -----------------------------------


def test_a_document_restored_from_its_kept_copy_is_the_ingested_one(
    empty_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    """Ingest, accept, empty the database, load, ingest the same text again: the restored
    document has every property the ingested one had (its `textHash` among them), so the
    text again is that document, unchanged, not a second one."""
    db = settings.neo4j_database
    write_knowledge_and_mentions(empty_db, db, read_knowledge())
    done = run_cli(settings, "ingest", str(EXAMPLE), "--review", str(tmp_path / "review.yaml"))
    assert done.returncode == 0, done.stderr
    knowledge = curated_copy(tmp_path)
    done = run_cli(settings, "review", "accept", str(REVIEWED), "--knowledge", str(knowledge))
    assert done.returncode == 0, done.stderr

    def node() -> dict[str, Any]:
        records, _, _ = empty_db.execute_query(
            "MATCH (d:Document {id: $id}) RETURN properties(d) AS props", id=DOC, database_=db
        )
        [record] = records
        return dict(record["props"])

    ingested = node()
    assert ingested["textHash"]
    wipe(empty_db, settings)
    done = run_cli(settings, "load", "--knowledge", str(knowledge))
    assert done.returncode == 0, done.stderr
    assert node() == ingested
    again = run_cli(settings, "ingest", str(EXAMPLE), "--review", str(tmp_path / "again.yaml"))
    assert again.returncode == 0, again.stderr
    assert f"{DOC} (unchanged)" in again.stdout
    count, _, _ = empty_db.execute_query(
        "MATCH (d:Document) WHERE d.title = $title RETURN count(d) AS n",
        title="Chile and Peru Hold Fisheries Talks in Lima", database_=db,
    )  # fmt: skip
    assert count[0]["n"] == 1


# -- docs/ingest.md's worked example, run as written ----------------------------------------


def test_the_worked_example_of_docs_ingest_runs_as_written(
    empty_db: Driver, settings: Settings, api: httpx.Client, tmp_path: Path
) -> None:
    """The commands of docs/ingest.md's worked example on its files in docs/examples/, and
    the lines the doc prints are the ones they print."""
    write_knowledge_and_mentions(empty_db, settings.neo4j_database, read_knowledge())
    doc = (Path(__file__).resolve().parents[1] / "docs" / "ingest.md").read_text("utf-8")
    assert "docs/examples/lima-media-note.txt" in doc
    assert "docs/examples/lima-media-note-reviewed.yaml" in doc
    review = tmp_path / "lima.yaml"
    done = run_cli(settings, "ingest", str(EXAMPLE), "--review", str(review))
    assert done.returncode == 0, done.stderr
    line = f"{DOC} (new): 1 mentions of 1 entities; 6 candidates, 0 ambiguous -> "
    assert line in done.stdout and line in doc
    knowledge = curated_copy(tmp_path)
    done = run_cli(settings, "review", "accept", str(REVIEWED), "--knowledge", str(knowledge))
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    printed = (
        f"Accepted 3 candidate(s) of {DOC}: 3 created, 0 already in the graph",
        f"Created: {PERSON}, lima, {MEETING}",
    )
    for line in printed:
        assert line in out and line in " ".join(doc.split())
    meeting = graphql(
        api,
        """query($id: ID!) { node(id: $id) { ... on Meeting { places { edges { node { slug } } }
           participants { edges { role node { slug } } } } } }""",
        id=MEETING,
    )["data"]["node"]
    assert [e["node"]["slug"] for e in meeting["places"]["edges"]] == ["lima"]
    assert [(e["role"], e["node"]["slug"]) for e in meeting["participants"]["edges"]] == [
        ("observer", PERSON)
    ]
    # The doc's listing of the document's candidates, line by line as jq prints it.
    page = graphql(
        api,
        "query($doc: String) { candidatesConnection(where: {document: $doc}, first: 3) { "
        "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { slug kind name "
        "proposedKind proposedName status entity } } } }",
        doc=DOC,
    )["data"]["candidatesConnection"]
    lines = [str(page["totalCount"]), json.dumps(page["pageInfo"], separators=(",", ":"))]
    lines += [
        json.dumps([e["cursor"], e["node"]], separators=(",", ":"), ensure_ascii=False)
        for e in page["edges"]
    ]
    assert "\n".join(lines) in doc


def test_relationships_follow_a_renamed_candidate_and_wait_for_one_not_kept(
    tmp_path: Path,
) -> None:
    """No Neo4j: what `accepted_facts` makes of the relationships a review file carries."""
    source = [{"document": DOC, "quote": MET_QUOTE}]

    def candidate(ident: str, kind: str, was: str | None = None) -> dict[str, Any]:
        return {"id": ident, "kind": kind, "name": ident, "sources": source,
                "review": {"candidate": was or ident}}  # fmt: skip

    review = tmp_path / "review.yaml"
    review.write_text(yaml.safe_dump({
        "document": {"id": DOC},
        "entities": [candidate(PERSON, "Person"), candidate(MEETING, "Meeting", "meeting-1"),
                     candidate("lima", "Place")],
        "relationships": [
            {"type": "ATTENDED", "from": PERSON, "to": "meeting-1", "sources": source},
            {"type": "HELD_IN", "from": "meeting-1", "to": "lima", "sources": source},
            {"type": "ATTENDED", "from": "chile", "to": "meeting-1", "sources": source},
            {"type": "ATTENDED", "from": "ana-ruiz", "to": "meeting-1", "sources": source},
        ],
    }), encoding="utf-8")  # fmt: skip
    # `chile` a candidate of the document still proposed, `ana-ruiz` one accepted before
    # as `ana-ruiz-campos`; `lima` left out by --only.
    stored = {"chile": None, "ana-ruiz": "ana-ruiz-campos", "meeting-1": None}
    facts = accepted_facts(review, [PERSON, MEETING], lambda doc: stored).facts
    assert [(r["type"], r["from"], r["to"]) for r in facts["relationships"]] == [
        ("ATTENDED", PERSON, MEETING),
        ("ATTENDED", "ana-ruiz-campos", MEETING),
    ]


# -- an end only the historian's datasets hold -------------------------------------------


def test_a_relationship_to_an_entity_no_knowledge_file_defines_comes_with_its_record(
    empty_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    """A meeting held in a city the graph has from the historian's datasets only: the
    review file carries a record for the city (its kind, name and the sentence naming it),
    and accepting the meeting alone keeps it, so that `diplograph load` on a fresh database,
    which reads the knowledge files before any dataset, can relate the meeting to it."""
    db = settings.neo4j_database
    write_knowledge_and_mentions(empty_db, db, read_knowledge())
    # As `diplograph load hsg` leaves a city no knowledge file defines.
    empty_db.execute_query(
        "CREATE (:Entity:Place {id: 'lima-peru', name: 'Lima', "
        "sources: ['hsg-travels'], quotes: ['']})",
        database_=db,
    )
    path = tmp_path / "lima.txt"
    path.write_text(TEXT, encoding="utf-8")
    [result] = ingest_documents(empty_db, db, [prepare_article(path)])
    knowledge = curated_copy(tmp_path)
    review = write_review(tmp_path / "review.yaml", result.analysis, knowledge)
    data: dict[str, Any] = yaml.safe_load(review.read_text(encoding="utf-8"))
    [held_in] = [r for r in data["relationships"] if r["to"] == "lima-peru"]
    meeting = held_in["from"]
    records = {e["id"]: e for e in data["entities"]}
    city = records["lima-peru"]
    assert (city["kind"], city["name"], city["review"]["known"]) == ("Place", "Lima", True)
    [source] = city["sources"]
    assert source["document"] == DOC
    assert "in Lima on April 3, 2019" in source["quote"]
    assert quote_occurs(source["quote"], TEXT)
    # Curated ends (the bureau, the countries) need no record: a knowledge file has them.
    assert [i for i, e in records.items() if e["review"].get("known")] == ["lima-peru"]

    done = run_cli(
        settings, "review", "accept", str(review), "--only", meeting, "--knowledge", str(knowledge)
    )
    assert done.returncode == 0, done.stderr
    # The city's record is no candidate: not counted, not added by the analyst, not listed.
    said = " ".join(done.stdout.split())
    assert f"Accepted 1 candidate(s) of {DOC}: 1 created, 0 already in the graph" in said
    assert "Recorded for the load (known: true;" in said
    assert "Added by the analyst" not in said
    statuses, _, _ = empty_db.execute_query(
        "MATCH (c:Candidate {document: $doc}) WHERE c.status = 'accepted' "
        "RETURN collect(c.entity) AS entities",
        doc=DOC, database_=db,
    )  # fmt: skip
    assert statuses[0]["entities"] == [meeting]
    kept = yaml.safe_load((knowledge / f"accepted-{DOC}.yaml").read_text(encoding="utf-8"))
    assert {e["id"] for e in kept["entities"]} == {meeting, "lima-peru"}
    assert ("HELD_IN", meeting, "lima-peru") in {
        (r["type"], r["from"], r["to"]) for r in kept["relationships"]
    }
    rows, _, _ = empty_db.execute_query(
        "MATCH (p:Entity {id: 'lima-peru'}) "
        "RETURN labels(p) AS labels, p.name AS name, COUNT { (:Meeting)-[:HELD_IN]->(p) } AS held",
        database_=db,
    )
    assert [(sorted(r["labels"]), r["name"], r["held"]) for r in rows] == [
        (["Entity", "Place"], "Lima", 1)
    ]
    # What a fresh `diplograph load` reads first: the folder alone defines both ends.
    fresh = read_knowledge(SOURCES_DIR, knowledge)
    assert {"lima-peru", meeting} <= {e.id for e in fresh.entities}


# -- a nationality before a title: the person's country, as an edge ------------------------

CITIZEN_TEXT = """\
Cuba and Norway Discuss Fisheries
Media Note
May 9, 2019

Cuban Vice Minister of Foreign Affairs Elena Marquez Soto met Norwegian diplomats in \
Oslo on May 8, 2019 to discuss fisheries cooperation.
"""


def test_a_nationality_before_a_title_is_proposed_and_accepted_as_citizen_of(
    empty_db: Driver, settings: Settings, api: httpx.Client, tmp_path: Path
) -> None:
    """A person's country was a plain property the API could not see (newcomer review):
    the review file now proposes it as CITIZEN_OF, which `citizenOf` answers."""
    write_knowledge_and_mentions(empty_db, settings.neo4j_database, read_knowledge())
    source = tmp_path / "oslo.txt"
    source.write_text(CITIZEN_TEXT, encoding="utf-8")
    review = tmp_path / "review.yaml"
    done = run_cli(settings, "ingest", str(source), "--review", str(review))
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = yaml.safe_load(review.read_text(encoding="utf-8"))
    person = next(e for e in data["entities"] if e["name"] == "Elena Marquez Soto")
    assert "country" not in person.get("properties", {})
    assert person["review"]["country"] == {"id": "cuba", "name": "Cuba"}
    carried = {(r["type"], r["from"], r["to"]) for r in data["relationships"]}
    assert ("CITIZEN_OF", person["id"], "cuba") in carried
    data["entities"] = [person]
    data["relationships"] = [r for r in data["relationships"] if r["type"] == "CITIZEN_OF"]
    review.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = run_cli(
        settings, "review", "accept", str(review), "--knowledge", str(curated_copy(tmp_path))
    )
    assert done.returncode == 0, done.stderr
    query = "query($id: ID!) { node(id: $id) { ... on Person { citizenOf { slug } } } }"
    body = graphql(api, query, id=person["id"])
    assert body["data"]["node"]["citizenOf"] == {"slug": "cuba"}, body
