"""Mentions in Neo4j: reading the known entities, writing documents with their mentions.

A mention is one occurrence of a known entity in a document's stored text:

    (:Document)-[:MENTIONS {key, start, end, text, matched, method, score, title}]->(:Entity)

- `start`/`end` are character offsets into `Document.text` (Python string indices,
  end exclusive): `text[start:end] == r.text`, the words as written;
- `matched` is the entity's name or alias they matched, `method` how
  (name, alias, variant, surname; see loaders/ingest/linking.py), `score` the rapidfuzz
  ratio of a variant (100 otherwise), `title` a title just before a name;
- `key` is `str(start)`: one relationship per occurrence, merged on the key as
  every other relationship type is. Two mentions of one entity in one document
  never start at the same offset, so (document, key, entity) is unique.

Only (:Document)-[:MENTIONS]-> edges are touched here; MENTIONS between entities (a
meeting's record naming an actor, written by dataset loaders) are facts of their own.

Mentions are derived data: linking a document again replaces its mentions (those
no longer found are deleted, the others updated in place), so re-ingesting and
reloading never duplicate them. These functions run in the caller's transaction;
`services/pipeline.py` reads the entities, links, and writes in one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import Driver, ManagedTransaction

from diplograph.model import Document, Kind
from diplograph.records import KnownEntity, Mention
from graph.repository import document_row

_KINDS = {kind.value: kind for kind in Kind}

# The WriteSummary key for document mentions: MENTIONS is also a fact type between
# entities (a meeting's record naming an actor), counted under "MENTIONS".
DOCUMENT_MENTIONS = "MENTIONS (documents)"


@dataclass(frozen=True)
class MentionCounts:
    """What relinking one document changed."""

    created: int = 0
    updated: int = 0
    removed: int = 0


def read_known_entities(tx: ManagedTransaction) -> list[KnownEntity]:
    """Every `:Entity` with its name and aliases (and kind, from its labels).

    Candidates (`candidate: true`, the unresolved people a dataset loader leaves, one per
    record even for one name) are left out: they would make every name they share
    ambiguous, and a mention should link to a resolved entity.
    """
    result = tx.run(
        "MATCH (e:Entity) WHERE e.name IS NOT NULL AND coalesce(e.candidate, false) = false "
        "RETURN e.id AS id, e.name AS name, coalesce(e.aliases, []) AS aliases, "
        "labels(e) AS labels ORDER BY e.id"
    )
    entities: list[KnownEntity] = []
    for record in result:
        kind = next((_KINDS[label] for label in record["labels"] if label in _KINDS), None)
        entities.append(
            KnownEntity(record["id"], kind, record["name"], tuple(record["aliases"] or ()))
        )
    return entities


def mention_row(mention: Mention) -> dict[str, Any]:
    props: dict[str, Any] = {
        "key": str(mention.start),
        "start": mention.start,
        "end": mention.end,
        "text": mention.text,
        "matched": mention.matched,
        "method": mention.method.value,
        "score": mention.score,
    }
    if mention.title is not None:
        props["title"] = mention.title
    return {"entity": mention.entity_id, "key": props["key"], "props": props}


def replace_mentions(
    tx: ManagedTransaction, document_id: str, mentions: Sequence[Mention]
) -> MentionCounts:
    """Make the document's MENTIONS exactly `mentions` (the document must exist)."""
    rows = [mention_row(m) for m in mentions]
    keep = [f"{row['key']}|{row['entity']}" for row in rows]
    removed = tx.run(
        "MATCH (:Document {id: $id})-[r:MENTIONS]->(e:Entity) "
        "WHERE NOT (r.key + '|' + e.id) IN $keep DELETE r",
        id=document_id,
        keep=keep,
    ).consume()
    written = tx.run(
        "MATCH (d:Document {id: $id}) UNWIND $rows AS row "
        "MATCH (e:Entity {id: row.entity}) "
        "MERGE (d)-[r:MENTIONS {key: row.key}]->(e) SET r = row.props",
        id=document_id,
        rows=rows,
    ).consume()
    created = written.counters.relationships_created
    return MentionCounts(created, len(rows) - created, removed.counters.relationships_deleted)


def write_document(tx: ManagedTransaction, doc: Document) -> bool:
    """Merge one document on its id; True when it is new."""
    row = document_row(doc)
    summary = tx.run(
        "MERGE (d:Document {id: $id}) SET d += $props", id=row["id"], props=row["props"]
    ).consume()
    return summary.counters.nodes_created > 0


def count_mentions(driver: Driver, database: str, document_id: str | None = None) -> int:
    """How many MENTIONS the graph holds (of one document, when given)."""
    records, _, _ = driver.execute_query(
        "MATCH (d:Document)-[r:MENTIONS]->() WHERE $id IS NULL OR d.id = $id RETURN count(r) AS n",
        id=document_id,
        database_=database,
    )
    return int(records[0]["n"])
