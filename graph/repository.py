"""Writes of the knowledge model to Neo4j: the one place that knows its Cypher.

A whole `Knowledge` is written in one transaction with `MERGE` on ids, so a
load is all-or-nothing and reloading changes no counts. Properties are set
with `+=`, so facts already loaded from elsewhere are kept.

An entity never changes kind (`KindConflict`); its managed properties (id, name, dates
...) never come from `properties` (`diplograph.model.RESERVED_PROPERTIES`, checked when
a record is validated). A partial write (`write_knowledge(...,
named=...)`, the API's upsert) sets only the fields each record names.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver, ManagedTransaction

from diplograph.model import Document, Entity, FuzzyDate, Kind, Knowledge, Relationship, Source

BATCH_SIZE = 5_000


class KindConflict(ValueError):
    """A write would give an existing entity another kind."""


@dataclass
class WriteSummary:
    """How many nodes and relationships a load created, and how many it updated."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    def merge(self, other: WriteSummary) -> None:
        self.created.update(other.created)
        self.updated.update(other.updated)


def date_properties(prefix: str, value: FuzzyDate | None) -> dict[str, Any]:
    """A fuzzy date as Neo4j properties: its text, precision, and the days it spans."""
    if value is None:
        return {}
    props: dict[str, Any] = {
        prefix: value.value,
        f"{prefix}Precision": value.precision.value,
        f"{prefix}From": value.start,
        f"{prefix}To": value.end,
    }
    if value.basis:
        props[f"{prefix}Basis"] = value.basis
    return props


def source_properties(sources: Iterable[Source]) -> dict[str, list[str]]:
    """Provenance as two parallel lists, readable on any node or edge in Neo4j Browser."""
    sources = list(sources)
    return {
        "sources": [s.document for s in sources],
        "quotes": [s.quote for s in sources],
    }


def entity_row(entity: Entity, named: frozenset[str] | None = None) -> dict[str, Any]:
    """The row to write; with `named`, only the optional fields the record names."""
    props: dict[str, Any] = {
        **entity.properties,
        "name": entity.name,
        "aliases": entity.aliases,
        "aliasText": " | ".join(entity.aliases),
        **date_properties("date", entity.date),
    }
    for optional in ("description", "note"):
        if getattr(entity, optional) is not None:
            props[optional] = getattr(entity, optional)
    if named is not None and "aliases" not in named:
        del props["aliases"], props["aliasText"]
    return {"id": entity.id, "props": props, **source_properties(entity.sources)}


def relationship_row(rel: Relationship) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for optional in ("role", "title", "note"):
        if getattr(rel, optional) is not None:
            props[optional] = getattr(rel, optional)
    for name in ("date", "start", "end"):
        props.update(date_properties(name, getattr(rel, name)))
    return {
        "from": rel.source,
        "to": rel.target,
        "key": rel.key,
        "props": props,
        **source_properties(rel.sources),
    }


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def document_row(doc: Document) -> dict[str, Any]:
    """A document's node properties. `textHash` finds the same text again (an ingest of a
    text already stored is that document): every document carries it, so one an accepted
    review restores from its kept copy on a fresh database is the node ingest wrote."""
    props: dict[str, Any] = {"title": doc.title, "text": doc.text, "textHash": text_hash(doc.text)}
    for optional in ("file", "url", "publisher"):
        if getattr(doc, optional) is not None:
            props[optional] = getattr(doc, optional)
    props.update(date_properties("date", doc.date))
    return {"id": doc.id, "props": props}


def _merge_sources(var: str) -> str:
    """Cypher that sets `var`'s provenance to this load's sources plus the sources it
    already had from other documents: reloading a file replaces its own quotes, and
    what other loads (the historian's datasets) recorded is kept."""
    return (
        f"WITH {var}, row, [i IN range(0, size(coalesce({var}.sources, [])) - 1) "
        f"WHERE NOT {var}.sources[i] IN row.sources] AS kept "
        f"SET {var}.sources = [i IN kept | {var}.sources[i]] + row.sources, "
        f"{var}.quotes = [i IN kept | {var}.quotes[i]] + row.quotes"
    )


def _batches(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start : start + BATCH_SIZE]


# Every statement below has one text whatever the kind or type it writes (labels and types
# are parameters, `$($kind)`): a load compiles a handful of statements instead of three per
# kind and one per relationship type, which on a cold or busy server took most of the load
# transaction's time (about 60 statements compiled, near Neo4j's 60 s transaction timeout).


def _existing_ids(tx: ManagedTransaction, label: str, ids: list[str]) -> int:
    if label == "Document":
        statement = "UNWIND $ids AS id MATCH (n:Document {id: id}) RETURN count(n) AS n"
    else:
        statement = (
            "UNWIND $ids AS id MATCH (n:Entity {id: id}) WHERE $label IN labels(n) "
            "RETURN count(n) AS n"
        )
    record = tx.run(statement, ids=ids, label=label).single()
    return int(record["n"]) if record else 0


def _write_documents(tx: ManagedTransaction, docs: list[Document], summary: WriteSummary) -> None:
    rows = [document_row(d) for d in docs]
    existing = _existing_ids(tx, "Document", [r["id"] for r in rows])
    for batch in _batches(rows):
        tx.run("UNWIND $rows AS row MERGE (d:Document {id: row.id}) SET d += row.props", rows=batch)
    summary.created["Document"] += len(rows) - existing
    summary.updated["Document"] += existing


def _check_kinds(tx: ManagedTransaction, kind: Kind, ids: list[str]) -> None:
    """Refuse to give an existing entity a second kind (it would be both)."""
    records = tx.run(
        "UNWIND $ids AS id MATCH (n:Entity {id: id}) WHERE NOT $kind IN labels(n) "
        "RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'] AS kinds LIMIT 10",
        ids=ids,
        kind=kind.value,
    )
    conflicts = [f"'{r['id']}' is a {'/'.join(r['kinds'])}" for r in records]
    if conflicts:
        raise KindConflict(
            f"an entity's kind cannot change ({kind.value} asked): {'; '.join(conflicts)}"
        )


def _write_entities(
    tx: ManagedTransaction,
    entities: list[Entity],
    summary: WriteSummary,
    named: Mapping[str, frozenset[str]] | None = None,
) -> None:
    by_kind: dict[Kind, list[dict[str, Any]]] = defaultdict(list)
    for entity in entities:
        fields = None if named is None else named.get(entity.id, frozenset())
        by_kind[entity.kind].append(entity_row(entity, fields))
    for kind, rows in by_kind.items():
        _check_kinds(tx, kind, [r["id"] for r in rows])
        existing = _existing_ids(tx, kind.value, [r["id"] for r in rows])
        for batch in _batches(rows):
            tx.run(
                # A partial record that names no aliases keeps the node's; a new node
                # starts with none (never null: the API's aliases are a non-null list).
                "UNWIND $rows AS row MERGE (n:Entity {id: row.id}) "
                "ON CREATE SET n.aliases = [], n.aliasText = '' "
                f"SET n:$($kind) SET n += row.props {_merge_sources('n')}",
                rows=batch,
                kind=kind.value,
            )
        summary.created[kind.value] += len(rows) - existing
        summary.updated[kind.value] += existing


def _write_relationships(
    tx: ManagedTransaction, relationships: list[Relationship], summary: WriteSummary
) -> None:
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rel in relationships:
        by_type[rel.type.value].append(relationship_row(rel))
    for rel_type, rows in by_type.items():
        created = 0
        for batch in _batches(rows):
            # The type comes from the RelType enum, never from input.
            result = tx.run(
                "UNWIND $rows AS row "
                "MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to}) "
                "MERGE (a)-[r:$($type) {key: row.key}]->(b) SET r += row.props "
                f"{_merge_sources('r')}",
                rows=batch,
                type=rel_type,
            )
            created += result.consume().counters.relationships_created
        summary.created[rel_type] += created
        summary.updated[rel_type] += len(rows) - created


def write_knowledge_in(
    tx: ManagedTransaction,
    knowledge: Knowledge,
    named: Mapping[str, frozenset[str]] | None = None,
) -> WriteSummary:
    """Write documents, entities and relationships inside the caller's transaction.

    `named` (entity id → the fields its record names) makes the write partial: an
    entity keeps its aliases unless the record names them.
    """
    summary = WriteSummary()
    _write_documents(tx, knowledge.documents, summary)
    _write_entities(tx, knowledge.entities, summary, named)
    _write_relationships(tx, knowledge.relationships, summary)
    return summary


def write_knowledge(
    driver: Driver,
    database: str,
    knowledge: Knowledge,
    named: Mapping[str, frozenset[str]] | None = None,
) -> WriteSummary:
    """Write documents, entities and relationships in one transaction."""
    with driver.session(database=database) as session:
        return session.execute_write(write_knowledge_in, knowledge, named)


def count_by_label(driver: Driver, database: str) -> dict[str, int]:
    """Node counts per label (a node with two labels counts under each)."""
    records, _, _ = driver.execute_query(
        "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n", database_=database
    )
    return {r["label"]: r["n"] for r in records}


def count_relationships(driver: Driver, database: str) -> dict[str, int]:
    records, _, _ = driver.execute_query(
        "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n", database_=database
    )
    return {r["type"]: r["n"] for r in records}


def documents_by_id(driver: Driver, database: str, ids: list[str]) -> list[Document]:
    """The stored documents among `ids` (for checking quotes of new facts), with every
    field a document node holds (`review accept` keeps a copy that restores the node)."""
    records, _, _ = driver.execute_query(
        "MATCH (d:Document) WHERE d.id IN $ids RETURN d.id AS id, d.title AS title, "
        "d.text AS text, d.file AS file, d.url AS url, d.publisher AS publisher, "
        "CASE WHEN d.date IS NULL THEN null ELSE {value: d.date, basis: d.dateBasis} END AS date",
        ids=ids,
        database_=database,
    )
    return [Document.model_validate(dict(r)) for r in records]


def _value_by_id(driver: Driver, database: str, cypher: str, ids: list[str]) -> dict[str, Any]:
    """`cypher` (given `$ids`, returning `id` and `value` rows) as a mapping."""
    records, _, _ = driver.execute_query(cypher, ids=ids, database_=database)
    return {r["id"]: r["value"] for r in records}


def absorbed_by_id(driver: Driver, database: str, ids: list[str]) -> dict[str, str]:
    """Each id among `ids` that a merge absorbed and no entity holds again, with the entity
    it was merged into (whose node that id answers with)."""
    return _value_by_id(driver, database, (
        "MATCH (m:Merged) WHERE m.id IN $ids AND NOT EXISTS { MATCH (:Entity {id: m.id}) } "
        "RETURN m.id AS id, m.mergedInto AS value"
    ), ids)  # fmt: skip


def names_by_id(driver: Driver, database: str, ids: list[str]) -> dict[str, str]:
    """The name of each stored entity among `ids`."""
    return _value_by_id(driver, database, (
        "MATCH (n:Entity) WHERE n.id IN $ids AND n.name IS NOT NULL "
        "RETURN n.id AS id, n.name AS value"
    ), ids)  # fmt: skip


def kinds_by_id(driver: Driver, database: str, ids: list[str]) -> dict[str, Kind]:
    """The kind of each stored entity among `ids`."""
    labels = _value_by_id(driver, database, (
        "MATCH (n:Entity) WHERE n.id IN $ids "
        "RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS value"
    ), ids)  # fmt: skip
    return {id_: Kind(kind) for id_, kind in labels.items() if kind in Kind.__members__.values()}
