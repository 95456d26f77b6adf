"""Candidates in Neo4j: what ingest proposed for review, with a status.

    (:Candidate {id, candidateId, document, kind, name, reason, status, quotes, ...})
        -[:PROPOSED_IN]->(:Document)

A candidate is not an `:Entity`, so no list, search or path of the API meets it; it is
listed by `candidates(document:, status:)`. `status` is `proposed` when ingest writes it,
`accepted` once `diplograph review accept` made it knowledge (`entity` then names the
entity it became). Re-ingesting a document replaces its proposed candidates and keeps
the accepted ones. Every function runs in the caller's transaction, except the read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from neo4j import Driver, ManagedTransaction

from diplograph.records import Candidate

PROPOSED = "proposed"
ACCEPTED = "accepted"
STATUSES = (PROPOSED, ACCEPTED)


def candidate_row(document_id: str, candidate: Candidate) -> dict[str, Any]:
    props: dict[str, Any] = {
        "candidateId": candidate.id,
        "document": document_id,
        "kind": candidate.kind.value,
        "name": candidate.name,
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
    return {"id": f"{document_id}/{candidate.id}", "props": props}


def replace_candidates(
    tx: ManagedTransaction, document_id: str, candidates: Sequence[Candidate]
) -> None:
    """Make the document's proposed candidates exactly these (accepted ones stay)."""
    rows = [candidate_row(document_id, c) for c in candidates]
    tx.run(
        "MATCH (c:Candidate {document: $doc, status: $proposed}) "
        "WHERE NOT c.id IN $ids DETACH DELETE c",
        doc=document_id, proposed=PROPOSED, ids=[r["id"] for r in rows],
    ).consume()  # fmt: skip
    tx.run(
        "MATCH (d:Document {id: $doc}) UNWIND $rows AS row "
        "MERGE (c:Candidate {id: row.id}) "
        "ON CREATE SET c.status = $proposed "
        "SET c += row.props MERGE (c)-[:PROPOSED_IN]->(d)",
        doc=document_id, rows=rows, proposed=PROPOSED,
    ).consume()  # fmt: skip


def mark_accepted(
    tx: ManagedTransaction, document_id: str, accepted: Sequence[Mapping[str, Any]]
) -> int:
    """Record that candidates of the document became entities: each row names the
    `candidate` it was and the `entity` (id, kind, name) it became, which may have been
    renamed in review. A candidate the graph does not hold (a review file older than the
    document's last ingest) is recorded with the entity's kind and name."""
    record = tx.run(
        "UNWIND $rows AS row MERGE (c:Candidate {id: $doc + '/' + row.candidate}) "
        "ON CREATE SET c.document = $doc, c.candidateId = row.candidate, "
        "c.kind = row.kind, c.name = row.name "
        "SET c.status = $accepted, c.entity = row.entity, c.acceptedAt = datetime() "
        "WITH c MATCH (d:Document {id: $doc}) MERGE (c)-[:PROPOSED_IN]->(d) "
        "RETURN count(c) AS n",
        doc=document_id, rows=[dict(row) for row in accepted], accepted=ACCEPTED,
    ).single()  # fmt: skip
    return int(record["n"]) if record else 0


def list_candidates(
    driver: Driver, database: str, document: str | None, status: str | None, limit: int
) -> list[dict[str, Any]]:
    """Candidates, of one document and of one status when given, by document then name."""
    records, _, _ = driver.execute_query(
        "MATCH (c:Candidate) WHERE ($doc IS NULL OR c.document = $doc) "
        "AND ($status IS NULL OR c.status = $status) "
        "RETURN properties(c) AS c ORDER BY c.document, c.name, c.id LIMIT $limit",
        doc=document, status=status, limit=limit, database_=database,
    )  # fmt: skip
    return [dict(r["c"]) for r in records]
