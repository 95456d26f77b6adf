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
from datetime import date
from enum import StrEnum
from typing import Any

from neo4j import Driver, ManagedTransaction

from diplograph.model import Document, FuzzyDate, Kind, slugify
from diplograph.records import KnownEntity, Mention
from graph.repository import date_properties, document_row, text_hash

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
        "labels(e) AS labels, e.deathTo AS died, "
        "CASE WHEN e:Person THEN COLLECT { MATCH (e)-[r:HOLDS_POSITION]->() "
        "  WHERE coalesce(r.startFrom, r.dateFrom) IS NOT NULL "
        "  RETURN [coalesce(r.startFrom, r.dateFrom), coalesce(r.endTo, r.dateTo)] } "
        "ELSE [] END AS posts, "
        "CASE WHEN e:Person THEN [x IN [e.description] + COLLECT { "
        "  MATCH (e)-[r:HOLDS_POSITION]->() RETURN r.title } WHERE x IS NOT NULL] "
        "ELSE [] END AS titles, "
        "CASE WHEN e:Meeting AND e.dateFrom IS NOT NULL THEN [e.dateFrom, e.dateTo] END AS held, "
        "CASE WHEN e:Meeting THEN COLLECT { MATCH (e)-[:HELD_IN]->(p) RETURN p.id } "
        "ELSE [] END AS places, "
        "CASE WHEN e:Meeting THEN COLLECT { MATCH (a)-[:ATTENDED]->(e) RETURN a.id } "
        "ELSE [] END AS attendees, "
        "CASE WHEN e:Meeting THEN coalesce(e.sources, []) ELSE [] END AS documents "
        "ORDER BY e.id"
    )
    entities: list[KnownEntity] = []
    for record in result:
        kind = next((_KINDS[label] for label in record["labels"] if label in _KINDS), None)
        posts = tuple(
            (start.to_native(), end.to_native() if end is not None else date.max)
            for start, end in record["posts"]
        )
        died = record["died"].to_native() if record["died"] is not None else None
        held = record["held"]
        days = (held[0].to_native(), (held[1] or held[0]).to_native()) if held else None
        entities.append(
            KnownEntity(record["id"], kind, record["name"], tuple(record["aliases"] or ()),
                        posts, died, tuple(record["titles"]), days, tuple(record["places"]),
                        tuple(record["attendees"]), tuple(record["documents"]))
        )  # fmt: skip
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


class DocumentStatus(StrEnum):
    NEW = "new"
    UNCHANGED = "unchanged"  # the same text was stored already: nothing written
    # The same text with another date given: the stored document's date is changed.
    DATE_UPDATED = "date updated"
    NEW_VERSION = "new version"  # a changed text under a stored URL; the old one is kept


@dataclass(frozen=True)
class StoredDocument:
    """Where an ingested text went: its id, the version it follows, if any, and its date
    as stored (the one date linking and candidates must count from)."""

    id: str
    status: DocumentStatus
    previous: str | None = None
    version: int = 1
    date: FuzzyDate | None = None
    previous_date: str | None = None  # the stored date a `DATE_UPDATED` replaced


def _id_choices(doc: Document, digest: str) -> list[str]:
    """The headline's slug; then with the document's date; then with a short content hash
    (unique to the text, so the last choice is never another text's)."""
    base = doc.id[:100].strip("-")
    choices = [base]
    if doc.date is not None:
        choices.append(f"{base}-{slugify(doc.date.value)}")
    choices.append(f"{base}-{digest[:10]}")
    return choices


def store_document(tx: ManagedTransaction, doc: Document) -> StoredDocument:
    """Store an ingested document without ever replacing another text.

    The same text already stored (under any id) is that document again: nothing is
    written. Otherwise the document gets the first free id of `_id_choices`, so two
    different texts never share an id; a text whose URL a stored document already has
    is recorded as that document's next version (`version`, `previousVersion`), and
    the older text stays as it was, with every quote and mention that cites it.
    `CREATE`, not `MERGE`: should another writer take the id meanwhile, the uniqueness
    constraint fails this transaction rather than overwrite.
    """
    digest = text_hash(doc.text)
    choices = _id_choices(doc, digest)
    same = tx.run(
        "OPTIONAL MATCH (h:Document {textHash: $hash}) WITH collect(h) AS hashed "
        "UNWIND $ids AS id OPTIONAL MATCH (d:Document {id: id}) "
        "WITH hashed, collect(d) AS named "
        "UNWIND hashed + named AS d "
        "RETURN d.id AS id, d.text AS text, d.date AS date, d.dateBasis AS basis",
        hash=digest,
        ids=choices,
    ).data()
    # An entity's id (or one a merge absorbed) is taken too: node lookups by id span both.
    taken: set[str] = set(
        tx.run(
            "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN n.id AS id "
            "UNION UNWIND $ids AS id MATCH (n:Merged {id: id}) RETURN n.id AS id",
            ids=choices,
        ).value("id")
    )
    for row in same:
        if row["text"] == doc.text:
            return _same_text(tx, row, doc.date)
        taken.add(row["id"])
    free = [i for i in choices if i not in taken]
    if not free:  # only a hash collision leaves none
        raise ValueError(f"document {doc.id!r}: every id it could take holds another text")
    previous = None
    version = 1
    if doc.url:
        prior = tx.run(
            "MATCH (d:Document {url: $url}) "
            "RETURN d.id AS id, coalesce(d.version, 1) AS version ORDER BY version DESC LIMIT 1",
            url=doc.url,
        ).single()
        if prior is not None:
            previous, version = prior["id"], int(prior["version"]) + 1
    row = document_row(doc.model_copy(update={"id": free[0]}))
    props = dict(row["props"])
    if previous is not None:
        props |= {"version": version, "previousVersion": previous}
    tx.run("CREATE (d:Document {id: $id}) SET d += $props", id=row["id"], props=props).consume()
    status = DocumentStatus.NEW if previous is None else DocumentStatus.NEW_VERSION
    return StoredDocument(row["id"], status, previous, version, doc.date)


def _same_text(
    tx: ManagedTransaction, row: dict[str, Any], given: FuzzyDate | None
) -> StoredDocument:
    """A text stored already: unchanged, unless another date is given for it, which then
    becomes the document's date (`DATE_UPDATED`). Either way the result carries the date
    the document holds, so that what is linked and proposed counts from that one date."""
    stored = FuzzyDate(value=row["date"], basis=row["basis"]) if row["date"] else None
    if given is None or (stored is not None and stored.value == given.value):
        return StoredDocument(row["id"], DocumentStatus.UNCHANGED, date=stored)
    cleared = dict.fromkeys(f"date{s}" for s in ("", "Precision", "From", "To", "Basis"))
    tx.run(
        "MATCH (d:Document {id: $id}) SET d += $cleared SET d += $props",
        id=row["id"], cleared=cleared, props=date_properties("date", given),
    ).consume()  # fmt: skip
    return StoredDocument(row["id"], DocumentStatus.DATE_UPDATED, date=given,
                          previous_date=stored.value if stored else None)  # fmt: skip


def count_mentions(driver: Driver, database: str, document_id: str | None = None) -> int:
    """How many MENTIONS the graph holds (of one document, when given)."""
    records, _, _ = driver.execute_query(
        "MATCH (d:Document)-[r:MENTIONS]->() WHERE $id IS NULL OR d.id = $id RETURN count(r) AS n",
        id=document_id,
        database_=database,
    )
    return int(records[0]["n"])
