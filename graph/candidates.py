"""Candidates in Neo4j: what ingest proposed for review, with a status.

    (:Candidate {id, candidateId, document, kind, name, reason, status, quotes,
                 placeIds, placeNames, participantIds, participantNames, ...})
        -[:PROPOSED_IN]->(:Document)

A candidate is not an `:Entity`, so no list, search or path of the API meets it; it is
listed by `candidatesConnection(where:)` (and its short form `candidates`). `status` is
`proposed` when ingest writes it, `accepted` once `diplograph review accept` made it
knowledge: `entity` then names the entity it became, `name` and `kind` are the ones it was
accepted under (the analyst may have corrected them), `proposedName` and `proposedKind`
what ingest proposed. Re-ingesting a document replaces its proposed candidates and keeps
the accepted ones (as accepted). The writes run in the caller's transaction; the list is
one statement the API runs like its other reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import Driver, ManagedTransaction

from diplograph.records import Analysis, Candidate, CandidateLinks, Ref
from graph.projection import CypherBuilder, Page
from graph.reads import Statement, bounded, items_size, ordered_window

PROPOSED = "proposed"
ACCEPTED = "accepted"
STATUSES = (PROPOSED, ACCEPTED)
# What a list of candidates may be ordered by: the property behind each key.
ORDER_PROPERTIES = {"DOCUMENT": "document", "NAME": "name", "KIND": "kind", "STATUS": "status"}
DEFAULT_ORDER = (("document", False), ("name", False))
# Text properties a candidate's size in bytes is estimated from (`list_candidates`).
TEXT_PROPERTIES = (
    "candidateId", "document", "kind", "name", "proposedName", "proposedKind", "status",
    "reason", "title", "description", "dateText", "date", "entity",
)  # fmt: skip
# Lists of texts, each counted like a quote.
TEXT_LISTS = ("quotes", "placeIds", "placeNames", "participantIds", "participantNames")


def _ref_props(prefix: str, refs: Sequence[Ref]) -> dict[str, list[Any]]:
    """Refs as parallel lists (a node property holds no map, a list no null): the ids
    ('' for a name that is neither an entity nor a candidate), names and candidate flags."""
    return {
        f"{prefix}Ids": [r.id or "" for r in refs],
        f"{prefix}Names": [r.name for r in refs],
        f"{prefix}Candidates": [r.candidate for r in refs],
    }


def candidate_row(
    document_id: str, candidate: Candidate, links: CandidateLinks | None = None
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "candidateId": candidate.id,
        "document": document_id,
        "kind": candidate.kind.value,
        "name": candidate.name,
        "proposedKind": candidate.kind.value,
        "proposedName": candidate.name,
        "reason": candidate.reason,
        "quotes": list(dict.fromkeys(o.quote for o in candidate.occurrences)),
    }
    for optional in ("description", "title", "date_text"):
        if getattr(candidate, optional) is not None:
            props[optional.replace("_text", "Text")] = getattr(candidate, optional)
    if candidate.date is not None:
        props["date"] = candidate.date.value
    # A meeting the text announces for later (loaders/ingest/candidates.py): not held.
    props["planned"] = candidate.properties.get("status") == "planned"
    # A meeting's place and participants: entities or other candidates of the document.
    links = links or CandidateLinks()
    props |= _ref_props("place", [links.place] if links.place else [])
    props |= _ref_props("participant", links.participants)
    return {"id": f"{document_id}/{candidate.id}", "props": props}


def replace_candidates(tx: ManagedTransaction, document_id: str, analysis: Analysis) -> None:
    """Make the document's proposed candidates exactly the analysis's. Accepted ones stay
    accepted, under the name and kind they were accepted under; what ingest proposes now
    is their `proposedName` and `proposedKind`."""
    rows = [candidate_row(document_id, c, analysis.links(c)) for c in analysis.candidates]
    tx.run(
        "MATCH (c:Candidate {document: $doc, status: $proposed}) "
        "WHERE NOT c.id IN $ids DETACH DELETE c",
        doc=document_id, proposed=PROPOSED, ids=[r["id"] for r in rows],
    ).consume()  # fmt: skip
    tx.run(
        "MATCH (d:Document {id: $doc}) UNWIND $rows AS row "
        "MERGE (c:Candidate {id: row.id}) "
        "ON CREATE SET c.status = $proposed "
        "WITH d, row, c, c.status = $accepted AS kept, c.name AS name, c.kind AS kind "
        "SET c += row.props "
        "SET c.name = CASE WHEN kept THEN name ELSE c.name END, "
        "c.kind = CASE WHEN kept THEN kind ELSE c.kind END "
        "MERGE (c)-[:PROPOSED_IN]->(d)",
        doc=document_id, rows=rows, proposed=PROPOSED, accepted=ACCEPTED,
    ).consume()  # fmt: skip


def mark_accepted(
    tx: ManagedTransaction, document_id: str, accepted: Sequence[Mapping[str, Any]]
) -> int:
    """Record that candidates of the document became entities: each row names the
    `candidate` it was and the `entity` (id, kind, name) it became, which may have been
    renamed in review. The candidate takes the name and kind it was accepted under and keeps
    the proposed ones. A candidate the graph does not hold (a review file older than the
    document's last ingest) is recorded with the entity's kind and name as the proposed
    ones too (the review file does not keep what ingest proposed)."""
    record = tx.run(
        "UNWIND $rows AS row MERGE (c:Candidate {id: $doc + '/' + row.candidate}) "
        "ON CREATE SET c.document = $doc, c.candidateId = row.candidate "
        "SET c.proposedName = coalesce(c.proposedName, c.name, row.name), "
        "c.proposedKind = coalesce(c.proposedKind, c.kind, row.kind), "
        "c.name = row.name, c.kind = row.kind, "
        "c.status = $accepted, c.entity = row.entity, c.acceptedAt = datetime() "
        "WITH c MATCH (d:Document {id: $doc}) MERGE (c)-[:PROPOSED_IN]->(d) "
        "RETURN count(c) AS n",
        doc=document_id, rows=[dict(row) for row in accepted], accepted=ACCEPTED,
    ).single()  # fmt: skip
    return int(record["n"]) if record else 0


def candidate_entities(driver: Driver, database: str, document: str) -> dict[str, str | None]:
    """The candidates the graph holds for a document, of any status: each id with the
    entity it became when accepted, None while proposed."""
    records, _, _ = driver.execute_query(
        "MATCH (c:Candidate {document: $doc}) "
        "RETURN c.candidateId AS id, CASE c.status WHEN $accepted THEN c.entity END AS entity",
        doc=document, accepted=ACCEPTED, database_=database,
    )  # fmt: skip
    return {r["id"]: r["entity"] for r in records}


@dataclass(frozen=True)
class CandidateFilter:
    """Which candidates: each condition given holds. `text` is a case-insensitive
    substring of the name, the proposed name, the title or the description."""

    document: str | None = None
    status: str | None = None
    kind: str | None = None
    text: str | None = None


def list_candidates(
    where: CandidateFilter,
    order: Sequence[tuple[str, bool]],
    page: Page,
    with_total: bool,
) -> Statement:
    """One window of the candidates that match, in `order` (properties of
    `ORDER_PROPERTIES`, descending or not; the id last keeps pages stable), as the API's
    connections read theirs (`graph/reads.py`): `total` only when asked, and the window
    sliced in Cypher. The text depends on the order and the page's shape, never on the
    values, which are parameters."""
    b = CypherBuilder()
    doc, status, kind = b.param(where.document), b.param(where.status), b.param(where.kind)
    text = b.param(where.text.lower() if where.text is not None else None)
    matched = (
        f"MATCH (c:Candidate) WHERE ({doc} IS NULL OR c.document = {doc}) "
        f"AND ({status} IS NULL OR c.status = {status}) "
        f"AND ({kind} IS NULL OR c.kind = {kind}) "
        f"AND ({text} IS NULL OR any(t IN [c.name, c.proposedName, c.title, c.description] "
        f"WHERE toLower(t) CONTAINS {text}))"
    )
    order_by, window = ordered_window("c", list(order or DEFAULT_ORDER), page, b)
    total = f"COUNT {{ {matched} }}" if with_total else "null"
    cypher = (
        f"RETURN {total} AS total, COLLECT {{ {matched} WITH c ORDER BY {order_by}{window} "
        "RETURN {node: properties(c)} } AS items"
    )

    def size(item: str) -> str:
        texts = " + ".join(f"size(coalesce({item}.node.{p}, ''))" for p in TEXT_PROPERTIES)
        lists = []
        for name in TEXT_LISTS:
            quote, acc = b.fresh("q"), b.fresh("a")
            lists.append(
                f"reduce({acc} = 0, {quote} IN coalesce({item}.node.{name}, []) "
                f"| {acc} + 4 + size({quote}))"
            )
        return f"200 + {texts} + " + " + ".join(lists)

    return bounded(b, cypher, ["total"], {"items": items_size(b, "items", size)})
