"""The curated knowledge, loaded into a real Neo4j: counts, provenance, idempotence, and
the analyst questions of docs/graph-model.md, answered by the very Cypher printed there."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any

import pytest
from neo4j import Driver

from diplograph.model import Kind, Knowledge, RelType
from diplograph.settings import PROJECT_ROOT, Settings
from graph.repository import count_by_label, count_relationships, write_knowledge
from graph.scratch import MARKER_LABEL
from loaders.knowledge import quote_occurs, read_knowledge

GRAPH_MODEL_DOC = PROJECT_ROOT / "docs" / "graph-model.md"
BROWSER_STYLE = PROJECT_ROOT / "graph" / "browser-style.grass"
QUERY_BLOCK = re.compile(r"<!-- query: ([\w-]+) -->\s*```cypher\n(.*?)```", re.DOTALL)

HAVANA_DOC = "advancing-the-dialogue-with-cuba"
WASHINGTON_DOC = "committed-to-safe-and-legal-cuban-migration"
HAVANA_ROUND = "U.S.-Cuba migration talks in Havana"
WASHINGTON_ROUND = "U.S.-Cuba migration talks in Washington"
JULY_2009_ROUND = "U.S.-Cuba migration talks, July 2009 (resumption)"
KELLY_TITLE = "Principal Deputy Assistant Secretary of State for Western Hemisphere Affairs"


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return read_knowledge()


@cache
def doc_queries() -> dict[str, str]:
    """The named Cypher blocks of docs/graph-model.md."""
    return dict(QUERY_BLOCK.findall(GRAPH_MODEL_DOC.read_text(encoding="utf-8")))


def rows(driver: Driver, settings: Settings, cypher: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(cypher, params, database_=settings.neo4j_database)
    return [record.data() for record in records]


def ask(driver: Driver, settings: Settings, question: str) -> list[dict[str, Any]]:
    """Run the documented query for one analyst question."""
    return rows(driver, settings, doc_queries()[question])


def document_texts(driver: Driver, settings: Settings) -> dict[str, str]:
    return {
        r["id"]: r["text"]
        for r in rows(driver, settings, "MATCH (d:Document) RETURN d.id AS id, d.text AS text")
    }


# -- counts --------------------------------------------------------------------------------


def test_node_counts_per_label_match_the_yaml(
    loaded_db: Driver, settings: Settings, knowledge: Knowledge
) -> None:
    expected = Counter(entity.kind.value for entity in knowledge.entities)
    expected["Entity"] = len(knowledge.entities)
    expected["Document"] = len(knowledge.documents)
    assert count_by_label(loaded_db, settings.neo4j_database) == dict(expected)


def test_node_counts_hard_expectations(loaded_db: Driver, settings: Settings) -> None:
    counts = count_by_label(loaded_db, settings.neo4j_database)
    assert counts["Document"] == 2
    assert counts["Country"] == 2
    assert counts["Delegation"] == 4  # one per side for Havana and for Washington
    assert counts["Agreement"] == 1
    assert counts["Term"] == 1
    assert counts["Meeting"] == 4  # the series, July 2009, Havana, Washington
    assert counts["Person"] == 4
    assert set(counts) == {kind.value for kind in Kind} | {"Entity", "Document"}


def test_relationship_counts_per_type_match_the_yaml(
    loaded_db: Driver, settings: Settings, knowledge: Knowledge
) -> None:
    expected = Counter(rel.type.value for rel in knowledge.relationships)
    # Curated facts join entities; a Document's MENTIONS are derived, and checked below.
    curated = rows(
        loaded_db, settings,
        "MATCH (:Entity)-[r]->(:Entity) RETURN type(r) AS type, count(*) AS n",
    )  # fmt: skip
    assert {r["type"]: r["n"] for r in curated} == dict(expected)
    assert set(expected) <= {rel_type.value for rel_type in RelType}


def test_one_person_is_spelled_two_ways(loaded_db: Driver, settings: Settings) -> None:
    found = rows(
        loaded_db, settings,
        "MATCH (p:Person) WHERE 'Craig Kelley' IN p.aliases "
        "RETURN p.id AS id, p.name AS name, p.note AS note, p.sources AS sources",
    )  # fmt: skip
    assert len(found) == 1
    kelly = found[0]
    assert (kelly["id"], kelly["name"]) == ("craig-kelly", "Craig Kelly")
    assert HAVANA_DOC in kelly["note"] and WASHINGTON_DOC in kelly["note"]
    assert sorted(kelly["sources"]) == [HAVANA_DOC, WASHINGTON_DOC]
    assert rows(loaded_db, settings, "MATCH (p:Person {name: 'Craig Kelley'}) RETURN p") == []


def test_shared_ids_of_the_historian_datasets(loaded_db: Driver, settings: Settings) -> None:
    found = rows(
        loaded_db, settings,
        "MATCH (n:Entity) WHERE n.id IN $ids RETURN n.id AS id, labels(n) AS labels",
        ids=["obama-barack", "cuba", "united-states", "us-interests-section-havana"],
    )  # fmt: skip
    labels = {r["id"]: set(r["labels"]) - {"Entity"} for r in found}
    assert labels == {
        "obama-barack": {"Person"},
        "cuba": {"Country"},
        "united-states": {"Country"},
        "us-interests-section-havana": {"Organization"},
    }


# -- provenance ----------------------------------------------------------------------------


def test_every_relationship_has_sources_whose_quotes_are_verbatim(
    loaded_db: Driver, settings: Settings, knowledge: Knowledge
) -> None:
    texts = document_texts(loaded_db, settings)
    found = rows(
        loaded_db, settings,
        "MATCH (a)-[r]->(b) RETURN a.id AS from, a:Document AS fromDocument, type(r) AS type, "
        "b.id AS to, r.sources AS sources, r.quotes AS quotes, r.start AS start, r.end AS end, "
        "r.text AS text",
    )  # fmt: skip
    curated = [rel for rel in found if not rel["fromDocument"]]
    assert len(curated) == len(knowledge.relationships) > 0
    for rel in found:
        where = f"({rel['from']})-[:{rel['type']}]->({rel['to']})"
        if rel["fromDocument"]:
            # A mention's provenance is its place in the document's text.
            assert rel["type"] == "MENTIONS", where
            assert texts[rel["from"]][rel["start"] : rel["end"]] == rel["text"], where
            continue
        assert rel["sources"], f"{where} has no source"
        assert len(rel["sources"]) == len(rel["quotes"]), where
        for document, quote in zip(rel["sources"], rel["quotes"], strict=True):
            assert document in texts, f"{where}: unknown document {document}"
            assert quote_occurs(quote, texts[document]), f"{where}: {quote!r} not in {document}"


def test_every_entity_has_sources_whose_quotes_are_verbatim(
    loaded_db: Driver, settings: Settings
) -> None:
    texts = document_texts(loaded_db, settings)
    found = rows(
        loaded_db, settings,
        "MATCH (n:Entity) RETURN n.id AS id, n.sources AS sources, n.quotes AS quotes",
    )  # fmt: skip
    for node in found:
        assert node["sources"], f"{node['id']} has no source"
        for document, quote in zip(node["sources"], node["quotes"], strict=True):
            assert quote_occurs(quote, texts[document]), f"{node['id']}: {quote!r}"


def test_dates_keep_the_precision_the_sources_give(loaded_db: Driver, settings: Settings) -> None:
    found = rows(
        loaded_db, settings,
        "MATCH (n:Entity) WHERE n.date IS NOT NULL RETURN n.id AS id, n.date AS date, "
        "n.datePrecision AS precision, toString(n.dateFrom) AS from, toString(n.dateTo) AS to, "
        "n.dateBasis AS basis",
    )  # fmt: skip
    by_id = {r["id"]: r for r in found}
    havana = by_id["migration-talks-havana-2010"]
    assert (havana["date"], havana["precision"]) == ("2010", "year")
    assert (havana["from"], havana["to"]) == ("2010-01-01", "2010-12-31")
    assert "Sixteen years ago" in havana["basis"]
    arrest = by_id["alan-gross-arrest"]
    assert (arrest["date"], arrest["precision"], arrest["to"]) == ("2009-12", "month", "2009-12-31")
    assert "in December" in arrest["basis"]
    assert by_id["migration-talks-2009-07"]["date"] == "2009-07"
    assert by_id["migration-talks-2009-07"]["basis"] is None  # stated outright
    # Nothing in the sources is known to the day.
    assert all(r["precision"] != "day" for r in found)


# -- idempotence ---------------------------------------------------------------------------


def test_reload_changes_nothing(
    loaded_db: Driver, settings: Settings, knowledge: Knowledge
) -> None:
    labels = count_by_label(loaded_db, settings.neo4j_database)
    types = count_relationships(loaded_db, settings.neo4j_database)
    summary = write_knowledge(loaded_db, settings.neo4j_database, knowledge)
    assert count_by_label(loaded_db, settings.neo4j_database) == labels
    assert count_relationships(loaded_db, settings.neo4j_database) == types
    assert sum(summary.created.values()) == 0
    updated = len(knowledge.documents) + len(knowledge.entities) + len(knowledge.relationships)
    assert sum(summary.updated.values()) == updated


# -- the diagram and tables of docs/graph-model.md -----------------------------------------

MERMAID = re.compile(r"```mermaid\n(.*?)```", re.DOTALL)
# Labels and relationship types named in the Cypher the code writes and reads: `(x:Label`,
# `SET x:Label`, `[r:TYPE`.
CYPHER_LABEL = re.compile(r"(?:\(\w*|SET \w+):([A-Z][A-Za-z]+)\b")
CYPHER_TYPE = re.compile(r"\[\w*:([A-Z][A-Z_]+)\b")
CYPHER_CODE = ["graph/*.py", "loaders/*.py", "loaders/*/*.py", "services/*.py"]


def undrawn(names: set[str]) -> set[str]:
    """The names neither drawn in a diagram of docs/graph-model.md nor given a table row
    there (`Entity` stands for every kind and has no row)."""
    doc = GRAPH_MODEL_DOC.read_text(encoding="utf-8")
    drawn = set(re.findall(r"\b[A-Za-z_]+\b", " ".join(MERMAID.findall(doc))))
    rows = set(re.findall(r"^\| `([A-Za-z_]+)", doc, flags=re.MULTILINE)) | {"Entity"}
    return {name for name in names if name not in drawn or name not in rows}


def in_the_graph(driver: Driver, database: str) -> set[str]:
    """Every label and relationship type a graph holds now (but the test database's own
    marker, graph/scratch.py, whose index makes it a label)."""
    records, _, _ = driver.execute_query(
        "CALL db.labels() YIELD label RETURN label AS name UNION "
        "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS name",
        database_=database,
    )
    return {r["name"] for r in records} - {MARKER_LABEL}


def test_the_diagram_draws_every_label_and_type_the_code_writes() -> None:
    """Kinds, relationship types with facts, and the bookkeeping the code writes
    (`Candidate`, `Merged`, `IdentityDecision`, `PROPOSED_IN`, `MERGED_INTO`, ...)."""
    cypher = " ".join(
        path.read_text(encoding="utf-8") for glob in CYPHER_CODE for path in PROJECT_ROOT.glob(glob)
    )
    names = set(CYPHER_LABEL.findall(cypher)) | set(CYPHER_TYPE.findall(cypher))
    assert {"Candidate", "Merged", "IdentityDecision", "PROPOSED_IN", "MERGED_INTO"} <= names
    assert undrawn(names) == set()
    # The model's kinds, and its types but the one no fact uses (the doc says so).
    model = {kind.value for kind in Kind} | {rel.value for rel in RelType} - {"CITIZEN_OF"}
    assert undrawn(model) == set()
    assert undrawn({"Nowhere"}) == {"Nowhere"}


# -- the analyst questions, by the Cypher of docs/graph-model.md ----------------------------


def test_the_docs_hold_every_analyst_query() -> None:
    assert set(doc_queries()) == {
        "delegation-leaders", "rounds", "travel-documents", "alan-gross", "common-issues",
        "us-steps",
    }  # fmt: skip


def test_who_led_each_delegation(loaded_db: Driver, settings: Settings) -> None:
    answer = {
        (r["round"], r["side"]): (r["leader"], r["role"], r["title"], r["document"])
        for r in ask(loaded_db, settings, "delegation-leaders")
    }
    assert answer == {
        (HAVANA_ROUND, "United States"): (
            "Craig Kelly", "head of the U.S. delegation", KELLY_TITLE, HAVANA_DOC,
        ),
        (HAVANA_ROUND, "Cuba"): (None, None, None, None),  # not stated
        (WASHINGTON_ROUND, "United States"): (
            "Craig Kelly", "head of the U.S. delegation", KELLY_TITLE, WASHINGTON_DOC,
        ),
        (WASHINGTON_ROUND, "Cuba"): (
            "Dagoberto Rodriguez Barrera", "head of the Cuban delegation", "Vice Foreign Minister",
            WASHINGTON_DOC,
        ),
    }  # fmt: skip


def test_where_and_when_each_round_met(loaded_db: Driver, settings: Settings) -> None:
    answer = ask(loaded_db, settings, "rounds")
    assert [(r["round"], r["place"], r["date"], r["precision"]) for r in answer] == [
        (JULY_2009_ROUND, None, "2009-07", "month"),
        (HAVANA_ROUND, "Havana", "2010", "year"),
        (WASHINGTON_ROUND, "Washington", "2010", "year"),
    ]
    assert answer[0]["basis"] is None
    assert all("No month or day is stated" in r["basis"] for r in answer[1:])


def test_which_agreement_sets_the_travel_documents(loaded_db: Driver, settings: Settings) -> None:
    [answer] = ask(loaded_db, settings, "travel-documents")
    assert answer["agreement"] == "1994 U.S.-Cuba Migration Accords"
    assert answer["signed"] == "1994"
    assert (answer["quantity"], answer["unit"], answer["period"], answer["recipients"]) == (
        20000, "travel documents", "year", "Cubans",
    )  # fmt: skip
    assert answer["parties"] == ["Cuba", "United States"]
    assert all("20,000 travel documents" in quote for quote in answer["quotes"])


def test_what_the_us_raised_about_alan_gross(loaded_db: Driver, settings: Settings) -> None:
    [answer] = ask(loaded_db, settings, "alan-gross")
    assert answer["raisedBy"] == "U.S. delegation to the Havana talks"
    assert answer["issue"] == "Detention of Alan Gross"
    assert (answer["demand"], answer["grounds"], answer["reason"]) == (
        "immediate release", "humanitarian grounds", "failing health",
    )  # fmt: skip
    assert answer["affects"] == "U.S.-Cuban bilateral relations"
    assert "significant impediment" in answer["impact"]
    assert (answer["detainedBy"], answer["detained"]) == ("Cuban government", "2009-12")
    assert answer["quote"].startswith("The U.S. delegation raised his case")
    assert "because of failing health" in answer["quote"]


def test_which_issues_both_rounds_discussed(loaded_db: Driver, settings: Settings) -> None:
    answer = ask(loaded_db, settings, "common-issues")
    assert [r["issue"] for r in answer] == [
        "Ability of the U.S. Interests Section in Havana to operate effectively",
        "Cuba's acceptance of Cuban nationals ordered removed from the U.S.",
        "Monitoring the welfare of returned migrants",
        "Safe, legal and orderly migration",
    ]
    texts = document_texts(loaded_db, settings)
    for r in answer:
        assert quote_occurs(r["havanaQuote"], texts[HAVANA_DOC])
        assert quote_occurs(r["washingtonQuote"], texts[WASHINGTON_DOC])


def test_what_the_us_offered_as_good_faith_steps(loaded_db: Driver, settings: Settings) -> None:
    answer = ask(loaded_db, settings, "us-steps")
    steps = {r["step"]: (r["document"], sorted(r["issues"])) for r in answer}
    assert steps == {
        "Reestablishing direct mail service": (HAVANA_DOC, ["Direct mail service"]),
        "Easing travel restrictions on Americans wishing to visit Cuba": (
            HAVANA_DOC, ["Travel restrictions on Americans wishing to visit Cuba"],
        ),
        "Allowing U.S. telecommunications companies to do business in Cuba": (
            HAVANA_DOC, ["Telecommunications"],
        ),
        "Reestablishing discussions about direct mail service": (
            WASHINGTON_DOC, ["Direct mail service"],
        ),
        "Authorizing unrestricted family visits and remittances": (
            WASHINGTON_DOC, ["Family visits and remittances"],
        ),
        "Increasing humanitarian and telecommunications flows": (
            WASHINGTON_DOC, ["Humanitarian flows", "Telecommunications"],
        ),
    }  # fmt: skip
    texts = document_texts(loaded_db, settings)
    assert all(quote_occurs(r["quote"], texts[r["document"]]) for r in answer)


def test_the_us_hopes_havana_answers_with_human_rights_steps(
    loaded_db: Driver, settings: Settings
) -> None:
    found = rows(
        loaded_db, settings,
        "MATCH (:Country {id: 'united-states'})-[h:HOPES_FOR]->"
        "(i:Issue {id: 'human-rights-in-cuba'}) RETURN i.name AS hope, h.sources AS sources",
    )  # fmt: skip
    assert found == [
        {"hope": "Basic human rights in Cuba", "sources": [HAVANA_DOC, WASHINGTON_DOC]}
    ]


# -- Neo4j Browser style -------------------------------------------------------------------


def test_browser_style_captions_every_label_but_entity() -> None:
    """Entity is drawn as the neutral default, so the legend does not give it a colour."""
    grass = BROWSER_STYLE.read_text(encoding="utf-8")
    styled = dict(re.findall(r"node\.(\w+) \{[^}]*?caption: \"([^\"]+)\"", grass))
    # The bookkeeping labels the code writes too (Candidate, Merged, IdentityDecision).
    bookkeeping = {"Candidate": "{name}", "Merged": "{name}", "IdentityDecision": "{decision}"}
    assert styled == {**{kind.value: "{name}" for kind in Kind}, "Document": "{title}",
                      **bookkeeping}  # fmt: skip
    colours = re.findall(r"node\.(?!Entity)\w+ \{[^}]*?\bcolor: (#[0-9A-Fa-f]{6})", grass)
    assert len(colours) == len(set(colours)) == len(styled)
    entity = re.search(r"node\.Entity \{([^}]*)\}", grass)
    assert entity is not None and "caption" not in entity.group(1)
    assert "color: #A5ABB6;" in entity.group(1)
    assert grass.index("node.Entity") < min(grass.index(f"node.{k.value} ") for k in Kind)
    for rel_type in RelType:
        assert f'relationship.{rel_type.value} {{\n  caption: "<type>";' in grass


def test_reload_keeps_provenance_from_other_loads(loaded_db: Driver, settings: Settings) -> None:
    """Nothing already loaded is lost: another load's sources on a shared node survive."""
    loaded_db.execute_query(
        "MATCH (c:Entity {id: 'cuba'}) SET c.sources = c.sources + ['hsg-test-file'], "
        "c.quotes = c.quotes + ['<territory-id>cuba</territory-id>']",
        database_=settings.neo4j_database,
    )
    write_knowledge(loaded_db, settings.neo4j_database, read_knowledge())
    records, _, _ = loaded_db.execute_query(
        "MATCH (c:Entity {id: 'cuba'}) RETURN c.sources AS sources, c.quotes AS quotes",
        database_=settings.neo4j_database,
    )
    sources, quotes = records[0]["sources"], records[0]["quotes"]
    assert "hsg-test-file" in sources
    assert len(sources) == len(quotes) == len(set(zip(sources, quotes, strict=True)))
    assert quotes[sources.index("hsg-test-file")] == "<territory-id>cuba</territory-id>"
