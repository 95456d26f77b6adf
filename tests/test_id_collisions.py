"""One id, one node: entity and document ids never collide (hostile review).

The uniqueness constraints are per label, and `node`/`nodes` look ids up across entities
and documents: an upserted entity under a document's id, or an ingested document under an
entity's id, made every lookup of that id an internal error.
"""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
from neo4j import Driver

from diplograph.settings import Settings
from loaders.knowledge import LoadError, read_knowledge
from services.pipeline import resolve_identities
from tests.conftest import API_TOKEN, graphql
from tests.faultkit import Counts
from tests.test_identity import load_sources

AUTH = {"authorization": f"Bearer {API_TOKEN}"}
UPSERT = "mutation($f: JSON!) { upsertKnowledge(facts: $f) { created { label count } } }"
INGEST = "mutation($t: String!) { ingestDocument(text: $t) { slug created } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
DOCUMENT = "advancing-the-dialogue-with-cuba"  # an article of the curated knowledge


def global_id(type_name: str, slug: str) -> str:
    return base64.b64encode(f"{type_name}:{slug}".encode()).decode()


def typenames(api: httpx.Client, *ids: str) -> list[str | None]:
    body = graphql(api, NODES, ids=list(ids))
    assert "errors" not in body, body
    return [None if n is None else n["__typename"] for n in body["data"]["nodes"]]


def test_an_upserted_entity_under_a_documents_id_is_refused_and_writes_nothing(
    api: httpx.Client, loaded_db: Driver, settings: Settings
) -> None:
    before = Counts.of(loaded_db, settings.neo4j_database)
    facts = {"entities": [{"id": DOCUMENT, "kind": "Person", "name": "Someone", "sources": [
        {"document": DOCUMENT, "quote": "Cuba"}]}]}  # fmt: skip
    body = graphql(api, UPSERT, headers=AUTH, f=facts)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], body
    assert f"entities[0] (id {DOCUMENT})" in body["errors"][0]["message"], body
    assert f"id '{DOCUMENT}' is a document's id" in body["errors"][0]["message"], body
    assert Counts.of(loaded_db, settings.neo4j_database) == before
    assert typenames(api, DOCUMENT) == ["Document"]


def test_an_ingested_document_under_an_entitys_id_gets_an_id_of_its_own(
    api: httpx.Client, loaded_db: Driver
) -> None:
    text = "Washington\n\nThe budget committee met in Washington on a quiet Tuesday."
    result = graphql(api, INGEST, headers=AUTH, t=text)
    assert "errors" not in result, result
    slug = result["data"]["ingestDocument"]["slug"]
    assert slug != "washington" and slug.startswith("washington-"), slug
    assert typenames(api, "washington", slug) == ["Place", "Document"]
    again = graphql(api, INGEST, headers=AUTH, t=text)["data"]["ingestDocument"]
    assert again == {"slug": slug, "created": False}


def test_node_answers_one_node_when_an_entity_and_a_document_share_an_id(
    api: httpx.Client, loaded_db: Driver, settings: Settings
) -> None:
    """Data written before the checks above may hold both: never an internal error."""
    loaded_db.execute_query(
        "CREATE (:Document {id: 'havana', title: 'Havana', text: 'Havana.'})",
        database_=settings.neo4j_database,
    )
    wanted = ["havana", global_id("Document", "havana"), global_id("Place", "havana")]
    assert typenames(api, *wanted) == ["Place", "Document", "Place"]
    body = graphql(api, '{ node(id: "havana") { __typename id } }')
    assert "errors" not in body and body["data"]["node"]["__typename"] == "Place", body
    assert typenames(api, global_id("Person", "havana")) == [None]


def test_a_curated_entity_under_an_articles_id_fails_the_load(tmp_path: Path) -> None:
    (tmp_path / "clash.yaml").write_text(
        f"entities:\n  - id: {DOCUMENT}\n    kind: Person\n    name: Someone\n"
        f"    sources: [{{document: {DOCUMENT}, quote: Cuba}}]\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as raised:
        read_knowledge(knowledge_dir=tmp_path)
    assert f"id '{DOCUMENT}' is a document's id" in str(raised.value)
    assert "clash.yaml" in str(raised.value)


def test_a_new_entity_under_an_id_a_merge_absorbed_is_refused(
    api: httpx.Client, empty_db: Driver, settings: Settings
) -> None:
    """That id answers with the survivor: a new entity there would silently repoint it."""
    load_sources(empty_db, settings)
    resolve_identities(empty_db, settings.neo4j_database)  # havana-cuba into havana
    before = Counts.of(empty_db, settings.neo4j_database)
    facts = {"entities": [{"id": "havana-cuba", "kind": "Place", "name": "Havana", "sources": [
        {"document": DOCUMENT, "quote": "Cuba"}]}]}  # fmt: skip
    body = graphql(api, UPSERT, headers=AUTH, f=facts)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], body
    assert "id 'havana-cuba' was merged into 'havana'" in body["errors"][0]["message"], body
    assert Counts.of(empty_db, settings.neo4j_database) == before
    query = '{ node(id: "havana-cuba") { ... on Place { slug } } }'
    assert graphql(api, query)["data"]["node"] == {"slug": "havana"}
    # A relationship may name the absorbed id: it lands on the survivor, as reads do.
    edge = {"type": "VISITED", "from": "craig-kelly", "to": "havana-cuba", "key": "absorbed-end",
            "sources": [{"document": DOCUMENT, "quote": "Cuba"}]}  # fmt: skip
    body = graphql(api, UPSERT, headers=AUTH, f={"relationships": [edge]})
    assert "errors" not in body, body
    records, _, _ = empty_db.execute_query(
        "MATCH (:Person {id: 'craig-kelly'})-[r:VISITED {key: 'absorbed-end'}]->(p) "
        "RETURN collect(p.id) AS ends",
        database_=settings.neo4j_database,
    )
    assert records[0]["ends"] == ["havana"]
    # The survivor itself is still upserted as usual.
    facts["entities"][0]["id"] = "havana"
    assert "errors" not in graphql(api, UPSERT, headers=AUTH, f=facts)
    # An ingested text titled like the absorbed id gets an id of its own.
    text = "Havana Cuba\n\nA jazz festival opened downtown with three bands on Friday."
    slug = graphql(api, INGEST, headers=AUTH, t=text)["data"]["ingestDocument"]["slug"]
    assert slug.startswith("havana-cuba-"), slug
    assert graphql(api, query)["data"]["node"] == {"slug": "havana"}
